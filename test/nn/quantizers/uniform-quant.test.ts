import * as tf from '../../helpers/tfjs.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { uniformQuant } from '../../../src/nn/quantizers/uniform-quant.js';
import { UsageError } from '../../../src/util/errors.js';
import { finiteDifference, valueAndGradAt } from '../helpers/grad.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('uniformQuant', () => {
  it('2 bits, β = 3: levels 0, 1, 2, 3; clips below 0 and above β', () => {
    const q = (x: tf.Tensor): tf.Tensor => uniformQuant(x, 2, 3);
    const { value } = valueAndGradAt(q, [-1, 0, 0.4, 0.6, 1.2, 2.49, 2.51, 3, 7]);
    expect(value).toEqual([0, 0, 0, 1, 1, 2, 3, 3, 3]);
  });

  it('4 bits, β = 2: step β/15, round half to even at the exact midpoint', () => {
    const step = 2 / 15;
    const q = (x: tf.Tensor): tf.Tensor => uniformQuant(x, 4, 2);
    const { value } = valueAndGradAt(q, [0.49 * step, 0.51 * step, 7 * step, 1.999, 2.5]);
    const expected = [0, step, 7 * step, 2, 2];
    value.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 6));
    // 0.5 and 1.5 level indices: half to even (0 and 2), as tf.round / torch.round.
    const half = valueAndGradAt((x) => uniformQuant(x, 2, 3), [0.5, 1.5]).value;
    expect(half).toEqual([0, 2]);
  });

  it('every output is one of the 2^k levels', () => {
    const xs = Array.from({ length: 101 }, (_, i) => -0.5 + i * 0.03);
    const { value } = valueAndGradAt((x) => uniformQuant(x, 4, 2), xs);
    for (const v of value) {
      const index = (v * 15) / 2;
      expect(Math.abs(index - Math.round(index))).toBeLessThan(1e-5);
      expect(index).toBeGreaterThanOrEqual(0);
      expect(index).toBeLessThanOrEqual(15);
    }
  });

  it('backward: straight-through on [0, β] (edges included), 0 outside', () => {
    const { grad } = valueAndGradAt((x) => uniformQuant(x, 2, 2), [-0.5, -1e-4, 0, 0.7, 1.3, 2, 2.0001, 4], [1, 1, 1, 1, 1, 1, 1, 5]);
    expect(grad).toEqual([0, 0, 1, 1, 1, 1, 0, 0]);
  });

  it('backward equals the finite-difference slope of clip(y, 0, β) away from the edges', () => {
    const clip = (x: number): number => Math.max(0, Math.min(2, x));
    const xs = [-1, 0.3, 1.1, 1.9, 2.6];
    const { grad } = valueAndGradAt((x) => uniformQuant(x, 4, 2), xs);
    xs.forEach((x, i) => expect(grad[i]).toBeCloseTo(finiteDifference(clip, x), 6));
  });

  it('refuses 1 bit and a non-positive β, naming the field', () => {
    const x = tf.zeros([1]);
    expect(() => uniformQuant(x, 1, 2)).toThrow(UsageError);
    expect(() => uniformQuant(x, 1, 2)).toThrow(/bits/);
    expect(() => uniformQuant(x, 2, 0)).toThrow(/beta/);
    x.dispose();
  });
});
