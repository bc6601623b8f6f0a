// The exported packed model against the tfjs model it came from, on tfjs' wasm backend (the
// backend `groupnas eval` and `train` use): with the canonical inference arithmetic shared by
// src/nn (binaryUnitInference) and src/kernels, every activation level is the same on both sides,
// so argmax agrees on every image and the logits differ only by the head's float rounding.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '../helpers/tfjs.js';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels } from '../../src/backend/register-wasm-kernels.js';
import { availableEngines } from '../../src/kernels/engines.js';
import type { EngineName } from '../../src/kernels/engine.js';
import { loadPackedModel } from '../../src/kernels/packed-model-file.js';
import { buildModel } from '../../src/nn/group-net.js';
import type { Arch } from '../../src/space/arch.js';
import { buildPreset } from '../../src/space/presets.js';
import { exportUntrainedModel } from '../../src/train/export-packed.js';
import { ensureWasmBuilt } from '../kernels/ensure-wasm.js';
import { packedAgreement } from './helpers/packed-agreement.js';

const SIZE = 8;
const IMAGES = 256;
/** The js reference engine runs k-bit models ~20× slower than wasm: it checks its agreement on the first images only. */
const JS_IMAGES = 24;
let previousBackend = '';

beforeAll(async () => {
  ensureWasmBuilt();
  previousBackend = tf.getBackend();
  registerWasmTrainingKernels();
  await tf.setBackend('wasm');
});
afterAll(async () => {
  if (previousBackend) await tf.setBackend(previousBackend);
});

/** A preset at width 0.25 on SIZE² images; `bits` (cycled over the groups) replaces its activation bits. */
function archOf(preset: string, bits?: Arch['bits']): Arch {
  const arch = buildPreset(preset, { widthMultiplier: 0.25 });
  return { ...arch, input: { height: SIZE, width: SIZE, channels: 1 }, ...(bits ? { bits: arch.groups.map((_, g) => bits[g % bits.length]!) } : {}) };
}

const engines: EngineName[] = ['js', ...availableEngines().filter((e) => e !== 'js')];

describe(`exported packed model vs tfjs-wasm inference (${IMAGES} images, js ${JS_IMAGES}; engines ${engines.join(', ')})`, () => {
  it.each([
    ['groupnet-k5-a2', undefined],
    ['groupnet-k5-a4', undefined],
    ['gbd-v2-k5 with 2- and 4-bit groups', [2, 4] as Arch['bits']],
    ['lbd-k5 with 2-bit groups', [2] as Arch['bits']],
    ['groupnet-k3', undefined],
  ])('%s: argmax identical on every image, logits equal up to the head’s rounding', (name, bits) => {
    const arch = archOf(name.split(' ')[0]!, bits);
    for (const [engine, r] of Object.entries(packedAgreement(arch, engines, IMAGES, (engine) => (engine === 'js' ? JS_IMAGES : IMAGES)))) {
      expect(r.argmaxDifferences, engine).toBe(0);
      // A single activation level one step off moves logits by far more than the head's rounding.
      expect(r.maxRelative, engine).toBeLessThan(1e-5);
    }
  });
});

describe('exportUntrainedModel', () => {
  it("packs the architecture with nn's initial weights of the seed: the same logits as the model built with it", () => {
    const arch = archOf('groupnet-k3');
    const file = join(mkdtempSync(join(tmpdir(), 'gn-untrained-')), 'template.gnb');
    exportUntrainedModel(arch, file, 3);
    const packed = loadPackedModel(file, 'js');
    expect(packed.arch).toEqual(arch);
    const x = Float32Array.from({ length: 2 * SIZE * SIZE }, (_, i) => Math.sin(i));
    const model = buildModel(arch, { seed: 3 });
    try {
      const expected = tf.tidy(() => model.forward(tf.tensor4d(x, [2, SIZE, SIZE, 1]), false).dataSync() as Float32Array);
      const got = packed.predict(x, 2);
      for (let i = 0; i < expected.length; i++) expect(got[i]).toBeCloseTo(expected[i]!, 4);
    } finally {
      model.dispose();
    }
  });
});
