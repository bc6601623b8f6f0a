// The packed engine against the tfjs simulation (src/nn) of the same weights: export a
// randomized model to .gnb, run both, compare logits.
import * as tf from '../helpers/tfjs.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/kernels/engines.js';
import type { BinaryEngine } from '../../src/kernels/engine.js';
import { decodeGnb, encodeGnb } from '../../src/kernels/gnb-format.js';
import { packStateDict, type ArrayTensor } from '../../src/kernels/pack-state-dict.js';
import { evaluatePackedModel, measurePackedLatency } from '../../src/kernels/packed-inference.js';
import { PackedModel, SUB_BATCH } from '../../src/kernels/packed-model.js';
import { exportPackedModel, loadPackedModel } from '../../src/kernels/packed-model-file.js';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildModel } from '../../src/nn/group-net.js';
import type { Arch } from '../../src/space/arch.js';
import { buildPreset } from '../../src/space/presets.js';
import { FileFormatError } from '../../src/util/errors.js';
import { createRng } from '../../src/util/random.js';
import { randomModelState } from './random-model-state.js';
import { ensureWasmBuilt } from './ensure-wasm.js';

const SIZE = 8;
const BATCH = 4;

function smallArch(preset: string, size = SIZE): Arch {
  const arch = buildPreset(preset, { widthMultiplier: 0.25 });
  return { ...arch, input: { height: size, width: size, channels: 1 } };
}

function compare(arch: Arch, engine: BinaryEngine, activationClip = 2): { maxRelative: number; argmaxAgree: boolean } {
  const SIZE = arch.input.height;
  const model = buildModel(arch, { seed: 1, activationClip });
  try {
    const names = model.params.list().map((p) => ({ name: p.name, shape: p.variable.shape }));
    const state = randomModelState(names, 5);
    model.loadStateDict(Object.fromEntries(Object.entries(state).map(([n, t]) => [n, tf.tensor(t.data, t.shape)])));
    const rng = createRng(9);
    const images = Float32Array.from({ length: BATCH * SIZE * SIZE }, () => rng());
    const expected = tf.tidy(() => model.forward(tf.tensor4d(images, [BATCH, SIZE, SIZE, 1]), false).dataSync() as Float32Array);

    const bytes = encodeGnb(packStateDict(arch, state, { activationClip }));
    const packed = new PackedModel(decodeGnb(bytes, 'model.gnb'), engine, 'model.gnb');
    const got = packed.predict(images, BATCH);

    const classes = arch.head.classes;
    let maxRelative = 0;
    let argmaxAgree = true;
    for (let b = 0; b < BATCH; b++) {
      const row = (a: Float32Array) => Array.from(a.subarray(b * classes, (b + 1) * classes));
      const e = row(expected);
      const g = row(got);
      const scale = Math.max(...e.map(Math.abs), 1e-6);
      e.forEach((v, i) => (maxRelative = Math.max(maxRelative, Math.abs(v - g[i]!) / scale)));
      if (e.indexOf(Math.max(...e)) !== g.indexOf(Math.max(...g))) argmaxAgree = false;
    }
    return { maxRelative, argmaxAgree };
  } finally {
    model.dispose();
  }
}

const engines: Record<string, BinaryEngine> = {};
beforeAll(async () => {
  ensureWasmBuilt();
  await tf.setBackend('cpu');
  engines.js = createEngine('js');
  engines.wasm = createEngine('wasm');
});

describe('packed engine vs tfjs simulation', () => {
  it.each([
    ['groupnet-k3', 'wasm'],
    ['groupnet-k3', 'js'],
    ['gbd-v2-k5', 'wasm'],
    ['groupnet-k5-a2', 'wasm'],
    ['groupnet-k5-a4', 'wasm'],
    ['lbd-k5', 'wasm'],
    ['fp', 'wasm'],
  ])('%s on the %s engine: same argmax, logits within 1e-3 relative', (preset, engine) => {
    const r = compare(smallArch(preset), engines[engine]!);
    expect(r.argmaxAgree).toBe(true);
    expect(r.maxRelative).toBeLessThan(1e-3);
  });

  it('odd input sizes: stride-2 convs and average-pool shortcuts at the border agree too', () => {
    for (const preset of ['groupnet-k3', 'groupnet-k5-a4']) {
      const r = compare(smallArch(preset, 7), engines.wasm!);
      expect(r.argmaxAgree).toBe(true);
      expect(r.maxRelative).toBeLessThan(1e-3);
    }
  });

  it.each([
    ['bottleneck-r', 'groupnet-k3'],
    ['bottleneck-r', 'fp'],
    ['plain-r', 'gbd-v1-k5'],
  ])('%s backbone, %s: same argmax, logits within 1e-3 relative', (backbone, preset) => {
    const arch = buildPreset(preset, { backbone, widthMultiplier: 0.5 });
    const r = compare({ ...arch, input: { height: SIZE, width: SIZE, channels: 1 } }, engines.wasm!);
    expect(r.argmaxAgree).toBe(true);
    expect(r.maxRelative).toBeLessThan(1e-3);
  });

  it('block operations a search can choose (skip as identity and as projection, plain between basic blocks) agree too', () => {
    const arch = smallArch('groupnet-k3');
    const kinds = ['basic', 'skip', 'skip', 'plain', 'basic', 'skip'] as const;
    const r = compare({ ...arch, blocks: arch.blocks.map((b, i) => ({ ...b, kind: kinds[i]! })) }, engines.wasm!);
    expect(r.argmaxAgree).toBe(true);
    expect(r.maxRelative).toBeLessThan(1e-3);
  });

  it('a stem max-pool (odd and even windows) and a 1-bit or k-bit first group (stem ReLU or not) agree too', () => {
    for (const pool of [
      { kernel: 3, stride: 2 },
      { kernel: 2, stride: 2 },
    ]) {
      for (const preset of ['groupnet-k3', 'groupnet-k5-a2']) {
        const arch = smallArch(preset, 9);
        const r = compare({ ...arch, stem: { ...arch.stem, pool } }, engines.wasm!);
        expect(r.argmaxAgree).toBe(true);
        expect(r.maxRelative).toBeLessThan(1e-3);
      }
    }
  });

  it('accuracy through the packed engine equals the simulation’s; latency is measured', () => {
    const arch = smallArch('groupnet-k3');
    const model = buildModel(arch, { seed: 3 });
    const state = randomModelState(
      model.params.list().map((p) => ({ name: p.name, shape: p.variable.shape })),
      3,
    );
    model.loadStateDict(Object.fromEntries(Object.entries(state).map(([n, t]) => [n, tf.tensor(t.data, t.shape)])));
    const count = 40;
    const rng = createRng(4);
    const images = Float32Array.from({ length: count * SIZE * SIZE }, () => rng());
    const labels = Int32Array.from({ length: count }, () => Math.floor(rng() * 10));
    const simulated = tf.tidy(() => tf.argMax(model.forward(tf.tensor4d(images, [count, SIZE, SIZE, 1]), false), 1).dataSync() as Int32Array);
    model.dispose();
    const packed = new PackedModel(packStateDict(arch, state), engines.wasm!);
    const result = evaluatePackedModel(packed, images, labels, count, 16);
    expect(Array.from(result.predictions)).toEqual(Array.from(simulated));
    expect(result.correct).toBe(simulated.filter((p, i) => p === labels[i]).length);
    // a batch larger than SUB_BATCH goes through in slices: the same logits, bit for bit, as image by image
    const batch = SUB_BATCH * 2 + 3;
    const joined = packed.predict(images.subarray(0, batch * SIZE * SIZE), batch);
    const single = Array.from({ length: batch }, (_, i) => Array.from(packed.predict(images.subarray(i * SIZE * SIZE, (i + 1) * SIZE * SIZE), 1))).flat();
    expect(Array.from(joined)).toEqual(single);
    const latency = measurePackedLatency(packed, 2, { warmUpSeconds: 0, seconds: 0, minRepeats: 3 });
    expect(latency.medianSeconds).toBeGreaterThan(0);
    expect(latency.imagesPerSecond).toBeCloseTo(2 / latency.medianSeconds, 6);
  });

  it('export writes a .gnb that loads and predicts the same logits; a bad state dict writes nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'groupnas-export-'));
    try {
      const arch = smallArch('gbd-v1-k5');
      const model = buildModel(arch, { seed: 2 });
      const state = randomModelState(
        model.params.list().map((p) => ({ name: p.name, shape: p.variable.shape })),
        2,
      );
      model.dispose();
      const path = join(dir, 'model.gnb');
      exportPackedModel(path, arch, state, { metadata: { testAccuracy: 0.5 } });
      const loaded = loadPackedModel(path, 'wasm');
      const images = Float32Array.from({ length: 2 * SIZE * SIZE }, (_, i) => (i % 7) / 7);
      expect(Array.from(loaded.predict(images, 2))).toEqual(Array.from(new PackedModel(packStateDict(arch, state), engines.wasm!).predict(images, 2)));
      const broken = { ...state };
      delete broken['head.fc.bias'];
      const bad = join(dir, 'bad.gnb');
      expect(() => exportPackedModel(bad, arch, broken)).toThrow(/tensors\.head\.fc\.bias: missing/);
      expect(existsSync(bad)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names the tensor a .gnb lacks', () => {
    const arch = smallArch('groupnet-k3');
    const model = buildModel(arch, { seed: 1 });
    const state = randomModelState(
      model.params.list().map((p) => ({ name: p.name, shape: p.variable.shape })),
      1,
    );
    model.dispose();
    const gnb = packStateDict(arch, state);
    gnb.tensors.delete('groups.1.bases.2.blocks.1.unit2.bn.runningVar');
    expect(() => new PackedModel(gnb, engines.wasm!, 'm.gnb')).toThrow(FileFormatError);
    expect(() => new PackedModel(gnb, engines.wasm!, 'm.gnb')).toThrow(/^m\.gnb: tensors\.groups\.1\.bases\.2\.blocks\.1\.unit2\.bn\.runningVar: missing/);
  });
});
