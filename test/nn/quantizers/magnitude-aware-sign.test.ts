import * as tf from '../../helpers/tfjs.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { channelScale, magnitudeAwareSign } from '../../../src/nn/quantizers/magnitude-aware-sign.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// A 1×1 conv kernel with 3 inputs and 2 output channels (HWIO): column o is output channel o.
const W = [
  [0.5, -2],
  [-0.25, 0],
  [0, 1],
];
const wTensor = (): tf.Tensor4D => tf.tensor4d(W.flat(), [1, 1, 3, 2]);

describe('magnitudeAwareSign', () => {
  it('forward: α_o · sign(W) per output channel, α = mean |W| over the other axes, sign(0) = +1', () => {
    const out = tf.tidy(() => Array.from(magnitudeAwareSign(wTensor()).dataSync()));
    const a0 = (0.5 + 0.25 + 0) / 3;
    const a1 = (2 + 0 + 1) / 3;
    const expected = [a0, -a1, -a0, a1, a0, a1];
    out.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 6));
    const alpha = tf.tidy(() => Array.from(channelScale(wTensor()).dataSync()));
    expect(alpha[0]).toBeCloseTo(a0, 6);
    expect(alpha[1]).toBeCloseTo(a1, 6);
  });

  it('backward: α_o · dy · 1_{|W| ≤ 1}; α is not differentiated (stop-gradient)', () => {
    const dy = [1, 2, 3, 4, 5, 6];
    const grad = tf.tidy(() => {
      const g = tf.grad((w: tf.Tensor) => magnitudeAwareSign(w))(wTensor(), tf.tensor4d(dy, [1, 1, 3, 2]));
      return Array.from(g.dataSync());
    });
    const a0 = 0.75 / 3;
    const a1 = 1;
    // |W| = 2 at (0, 1) is outside the clip: no gradient there. With α differentiated, the
    // gradient would gain Σ dy·sign(W)·sign(W)/3 terms and (0, 1) would not be 0.
    const expected = [a0 * 1, 0, a0 * 3, a1 * 4, a0 * 5, a1 * 6];
    grad.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 6));
  });
});
