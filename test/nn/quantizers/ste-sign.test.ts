import * as tf from '../../helpers/tfjs.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { steSign } from '../../../src/nn/quantizers/ste-sign.js';
import { finiteDifference, valueAndGradAt } from '../helpers/grad.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('steSign', () => {
  it('forward: sign with sign(0) = +1', () => {
    const { value } = valueAndGradAt(steSign, [-2, -1, -1e-7, -0, 0, 1e-7, 1, 2]);
    expect(value).toEqual([-1, -1, -1, 1, 1, 1, 1, 1]);
  });

  it('backward: 1 on |x| ≤ 1 (edges included), 0 outside', () => {
    const { grad } = valueAndGradAt(steSign, [-1.5, -1.0001, -1, -0.5, 0, 0.5, 1, 1.0001, 3]);
    expect(grad).toEqual([0, 0, 1, 1, 1, 1, 1, 0, 0]);
  });

  it('backward equals the finite-difference slope of its surrogate clip(x, −1, 1) away from the kinks', () => {
    const clip = (x: number): number => Math.max(-1, Math.min(1, x));
    const xs = [-3, -0.9, -0.3, 0.2, 0.7, 1.4];
    const { grad } = valueAndGradAt(steSign, xs);
    xs.forEach((x, i) => expect(grad[i]).toBeCloseTo(finiteDifference(clip, x), 6));
  });

  it('multiplies the upstream gradient', () => {
    const { grad } = valueAndGradAt(steSign, [0.5, 2, -0.25], [3, 5, -7]);
    expect(grad).toEqual([3, 0, -7]);
  });
});
