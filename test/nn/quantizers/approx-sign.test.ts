import * as tf from '../../helpers/tfjs.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { approxSign } from '../../../src/nn/quantizers/approx-sign.js';
import { finiteDifference, valueAndGradAt } from '../helpers/grad.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Bi-Real's smooth approximation of sign, whose derivative approxSign's backward is. */
const surrogate = (x: number): number => (x < -1 ? -1 : x < 0 ? 2 * x + x * x : x <= 1 ? 2 * x - x * x : 1);

describe('approxSign', () => {
  it('forward: sign with sign(0) = +1', () => {
    const { value } = valueAndGradAt(approxSign, [-3, -1, -1e-6, 0, 1e-6, 1, 3]);
    expect(value).toEqual([-1, -1, -1, 1, 1, 1, 1]);
  });

  it('backward: 2 − 2|x| inside [−1, 1], 0 outside (formula at 0 and the edges)', () => {
    const { grad } = valueAndGradAt(approxSign, [-2, -1, -0.5, 0, 0.25, 1, 1.5]);
    expect(grad).toEqual([0, 0, 1, 2, 1.5, 0, 0]);
  });

  it('backward equals the finite-difference slope of the Bi-Real surrogate', () => {
    const xs = [-1.7, -0.8, -0.35, -0.1, 0.1, 0.45, 0.95, 2.2];
    const { grad } = valueAndGradAt(approxSign, xs);
    xs.forEach((x, i) => expect(grad[i]).toBeCloseTo(finiteDifference(surrogate, x), 5));
  });
});
