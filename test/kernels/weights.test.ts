import { describe, expect, it } from 'vitest';
import { packWeights, unpackWeights } from '../../src/kernels/weights.js';
import { createRng } from '../../src/util/random.js';
import { randomSigns, signOf } from './random-tensors.js';

describe('packWeights', () => {
  it('round-trips HWIO ±1 weights and counts each tap’s ±1 sum', () => {
    const rng = createRng(4);
    for (const [kernel, cin, cout] of [
      [1, 1, 1],
      [3, 33, 5],
      [5, 64, 3],
      [3, 300, 2],
    ] as const) {
      const w = randomSigns(rng, kernel * kernel * cin * cout, true);
      const packed = packWeights(w, { kernel, inChannels: cin, outChannels: cout });
      expect(Array.from(unpackWeights(packed))).toEqual(Array.from(signOf(w)));
      const taps = kernel * kernel;
      for (let o = 0; o < cout; o++) {
        for (let t = 0; t < taps; t++) {
          let sum = 0;
          for (let c = 0; c < cin; c++) sum += w[(t * cin + c) * cout + o]! < 0 ? -1 : 1;
          expect(packed.tapSums[o * taps + t]).toBe(sum);
        }
      }
    }
  });

  it('packs a weight array once and returns the cached result after', () => {
    const w = new Float32Array(9 * 2 * 3).fill(-1);
    const shape = { kernel: 3, inChannels: 2, outChannels: 3 };
    expect(packWeights(w, shape)).toBe(packWeights(w, shape));
    expect(packWeights(w, { kernel: 3, inChannels: 3, outChannels: 2 })).not.toBe(packWeights(w, shape));
  });

  it('rejects a length that does not match the shape', () => {
    expect(() => packWeights(new Float32Array(10), { kernel: 3, inChannels: 1, outChannels: 1 })).toThrow(/3×3×1×1/);
  });
});
