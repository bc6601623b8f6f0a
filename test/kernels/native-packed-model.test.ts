// Whole packed models on the native engine (each dispatch path) against the js reference
// engine, which test/kernels/packed-model.test.ts holds to the tfjs simulation: every preset
// family — group and layer decomposition, soft connections, k-bit activations, full precision.
import * as tf from '../helpers/tfjs.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/kernels/engines.js';
import { loadNativeAddon, type NativePath } from '../../src/util/native-addon.js';
import { NativeEngine } from '../../src/kernels/native-engine.js';
import { packStateDict, type ArrayTensor } from '../../src/kernels/pack-state-dict.js';
import { PackedModel } from '../../src/kernels/packed-model.js';
import { buildModel } from '../../src/nn/group-net.js';
import type { Arch } from '../../src/space/arch.js';
import { buildPreset } from '../../src/space/presets.js';
import { NotAvailableError } from '../../src/util/errors.js';
import { createRng, deriveSeed, randomNormal } from '../../src/util/random.js';

let paths: NativePath[] = [];
let reason = '';
try {
  paths = loadNativeAddon().paths();
} catch (err) {
  if (!(err instanceof NotAvailableError)) throw err;
  reason = err.message;
}

const PRESETS = ['groupnet-k3', 'gbd-v2-k5', 'groupnet-k5-a2', 'groupnet-k5-a4', 'lbd-k5', 'fp'];

function randomState(arch: Arch, seed: number): Record<string, ArrayTensor> {
  const net = buildModel(arch, { seed: 1 });
  const state: Record<string, ArrayTensor> = {};
  for (const p of net.params.list()) {
    const rng = createRng(deriveSeed(seed, p.name));
    const size = p.variable.shape.reduce((a, b) => a * b, 1);
    const value = (): number => {
      if (p.name.endsWith('runningVar')) return 0.3 + rng();
      if (p.name.endsWith('gamma')) return 1 + 0.3 * randomNormal(rng);
      if (p.name.endsWith('lambda') || p.name.endsWith('mix') || p.name.endsWith('scales')) return 0.5 + 0.3 * randomNormal(rng);
      return 0.4 * randomNormal(rng);
    };
    state[p.name] = { shape: p.variable.shape, data: Float32Array.from({ length: size }, value) };
  }
  net.dispose();
  return state;
}

describe.skipIf(paths.length > 0)(`native packed model: skipped — ${reason}`, () => {
  it('the addon is not built here', () => expect(reason).toMatch(/native engine/));
});

describe.skipIf(paths.length === 0)('packed models on the native engine', () => {
  const models = new Map<string, { model: ReturnType<typeof packStateDict>; images: Float32Array; want: Float32Array }>();
  beforeAll(async () => {
    await tf.setBackend('cpu');
    const rng = createRng(9);
    for (const preset of PRESETS) {
      const base = buildPreset(preset, { widthMultiplier: 0.25 });
      const arch = { ...base, input: { height: 9, width: 9, channels: 1 } };
      const model = packStateDict(arch, randomState(arch, 5));
      const images = Float32Array.from({ length: 3 * 81 }, () => rng());
      models.set(preset, { model, images, want: new PackedModel(model, createEngine('js')).predict(images, 3) });
    }
  });

  it.each(paths)('every preset family on path %s gives the js engine’s logits (1e-4 relative) and argmax', (path) => {
    const engine = new NativeEngine({ path });
    for (const preset of PRESETS) {
      const { model, images, want } = models.get(preset)!;
      const got = new PackedModel(model, engine).predict(images, 3);
      const classes = model.arch.head.classes;
      for (let b = 0; b < 3; b++) {
        const row = (a: Float32Array) => Array.from(a.subarray(b * classes, (b + 1) * classes));
        const w = row(want);
        const g = row(got);
        const scale = Math.max(...w.map(Math.abs), 1e-6);
        w.forEach((v, i) => expect(Math.abs(v - g[i]!) / scale, `${preset} image ${b} logit ${i}`).toBeLessThan(1e-4));
        expect(g.indexOf(Math.max(...g)), `${preset} image ${b}`).toBe(w.indexOf(Math.max(...w)));
      }
    }
  });

  it('a model predicting again re-uses its buffers: the next batch equals a fresh model’s, the logits returned before stay', () => {
    const engine = new NativeEngine();
    const rng = createRng(11);
    for (const preset of PRESETS) {
      const { model } = models.get(preset)!;
      // 11 images go through as sub-batches of 8 and 3, 3 images as one: each size has its own arena
      for (const n of [11, 3]) {
        const [first, second] = [0, 1].map(() => Float32Array.from({ length: n * 81 }, () => rng() - 0.5));
        const packed = new PackedModel(model, engine);
        const firstLogits = packed.predict(first!, n);
        const kept = firstLogits.slice();
        const again = packed.predict(second!, n);
        expect(Array.from(again), `${preset}, ${n} images`).toEqual(Array.from(new PackedModel(model, engine).predict(second!, n)));
        expect(Array.from(firstLogits), `${preset}, ${n} images`).toEqual(Array.from(kept));
      }
    }
  });
});
