import { beforeAll, describe, expect, it } from 'vitest';
import type { ConvSpec } from '../../src/kernels/conv-spec.js';
import { createEngine } from '../../src/kernels/engines.js';
import type { BinaryEngine } from '../../src/kernels/engine.js';
import { floatConv2d } from '../../src/kernels/float-conv.js';
import { createRng, randomInt, randomNormal } from '../../src/util/random.js';
import { ensureWasmBuilt } from './ensure-wasm.js';
import { pick } from './random-tensors.js';

let wasm: BinaryEngine;
beforeAll(() => {
  ensureWasmBuilt();
  wasm = createEngine('wasm');
});

describe('floatConv', () => {
  it('a hand-computed 2×2 input, 3×3 kernel, symmetric padding', () => {
    // one channel in, one out; kernel of ones → each output = sum of its 3×3 neighbourhood
    const y = floatConv2d(new Float32Array([1, 2, 3, 4]), { n: 1, h: 2, w: 2, c: 1 }, new Float32Array(9).fill(1), 1, {
      kernel: 3,
      stride: 1,
      dilation: 1,
      padding: 'symmetric',
    });
    expect(Array.from(y.data)).toEqual([10, 10, 10, 10]);
    const z = wasm.floatConv(new Float32Array([1, 2, 3, 4]), { n: 1, h: 2, w: 2, c: 1 }, new Float32Array(9).fill(1), 1, {
      kernel: 3,
      stride: 1,
      dilation: 1,
      padding: 'symmetric',
    });
    expect(Array.from(z.data)).toEqual([10, 10, 10, 10]);
  });

  it('the wasm engine matches the float64 reference to float32 rounding', () => {
    const rng = createRng(31);
    for (let r = 0; r < 30; r++) {
      const spec: ConvSpec = {
        kernel: pick(rng, [1, 3, 5]),
        stride: pick(rng, [1, 2]),
        dilation: pick(rng, [1, 2]),
        padding: pick(rng, ['same', 'valid', 'symmetric'] as const),
      };
      const span = (spec.kernel - 1) * spec.dilation + 1;
      const shape = { n: 1 + randomInt(rng, 2), h: span + randomInt(rng, 4), w: span + randomInt(rng, 4), c: pick(rng, [1, 3, 16, 33]) };
      const cout = pick(rng, [1, 10, 16, 17, 32, 40]);
      const x = Float32Array.from({ length: shape.n * shape.h * shape.w * shape.c }, () => randomNormal(rng));
      const f = Float32Array.from({ length: spec.kernel ** 2 * shape.c * cout }, () => randomNormal(rng));
      const expected = floatConv2d(x, shape, f, cout, spec);
      const got = wasm.floatConv(x, shape, f, cout, spec);
      expect([got.n, got.h, got.w, got.c]).toEqual([expected.n, expected.h, expected.w, expected.c]);
      const where = `${JSON.stringify(shape)} → ${cout} ${JSON.stringify(spec)}`;
      expected.data.forEach((v, i) => expect(Math.abs(got.data[i]! - v), where).toBeLessThan(1e-4 * (1 + Math.abs(v))));
    }
  });
});
