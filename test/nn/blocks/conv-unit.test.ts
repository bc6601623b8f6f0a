import * as tf from '../../helpers/tfjs.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConvUnit, type ConvUnitOptions } from '../../../src/nn/blocks/conv-unit.js';
import { ParameterStore, Scope } from '../../../src/nn/parameters.js';
import { FOUR_BIT, maxAbsDiff, randomInput, SIGN } from '../helpers/blocks.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const unit = (store: ParameterStore, o: Partial<ConvUnitOptions>): ConvUnit =>
  new ConvUnit(new Scope(store).child('u'), {
    inChannels: 3,
    outChannels: 4,
    kernel: 3,
    stride: 1,
    dilation: 1,
    quantizer: SIGN,
    bases: 1,
    bnMomentum: 0.1,
    ...o,
  });

describe('ConvUnit', () => {
  /** max |u(x) − u(3x)| for a fresh unit with `quantizer`, inference mode. */
  const rescalingChange = (quantizer: ConvUnitOptions['quantizer']): number => {
    const store = new ParameterStore(1);
    const u = unit(store, { quantizer });
    const x = randomInput([2, 5, 5, 3]);
    const diff = tf.tidy(() => maxAbsDiff(u.apply(x, false), u.apply(tf.mul(x, 3) as tf.Tensor4D, false)));
    x.dispose();
    store.dispose();
    return diff;
  };

  it('1-bit: sees only sign(x), so positive rescaling of the input changes nothing (inference mode)', () => {
    expect(rescalingChange(SIGN)).toBe(0);
  });

  it('full precision: the same rescaling does change the output (the test above can fail)', () => {
    expect(rescalingChange(undefined)).toBeGreaterThan(0.1);
  });

  it('k-bit: quantizes post-ReLU (negative inputs count as 0) and snaps to levels of β/(2^k−1)', () => {
    const store = new ParameterStore(2);
    const u = unit(store, { quantizer: FOUR_BIT });
    const x = randomInput([2, 5, 5, 3]);
    tf.tidy(() => {
      const y = u.apply(x, false);
      expect(maxAbsDiff(y, u.apply(tf.relu(x), false))).toBe(0);
      // A perturbation far below half a level (β/15/2 ≈ 0.067) away from rounding midpoints moves nothing.
      const levels = tf.div(tf.mul(tf.clipByValue(x, 0, 2), 15), 2);
      const nearMidpoint = tf.any(tf.less(tf.abs(tf.sub(tf.sub(levels, tf.floor(levels)), 0.5)), 0.01)).dataSync()[0];
      if (!nearMidpoint) expect(maxAbsDiff(y, u.apply(tf.add(x, 1e-3) as tf.Tensor4D, false))).toBe(0);
      expect(maxAbsDiff(y, u.apply(tf.mul(x, 1.5) as tf.Tensor4D, false))).toBeGreaterThan(0);
    });
    x.dispose();
    store.dispose();
  });

  it('binary conv gradients reach the latent float weights', () => {
    const store = new ParameterStore(3);
    const u = unit(store, { quantizer: SIGN });
    const x = randomInput([2, 5, 5, 3]);
    const w = u.conv.convs[0]!.weight;
    tf.tidy(() => {
      const { grads } = tf.variableGrads(() => tf.sum(tf.mul(u.apply(x, true), randomInput([2, 5, 5, 4], 9))) as tf.Scalar, [w]);
      expect(tf.max(tf.abs(grads[w.name]!)).dataSync()[0]).toBeGreaterThan(0);
    });
    x.dispose();
    store.dispose();
  });

  it("weights: 'real' keeps sign(x) but convolves with the latent float W: BN(conv(sign(x), W)), unlike α·sign(W)", () => {
    const store = new ParameterStore(4);
    const real = unit(store, { quantizer: SIGN, weights: 'real' });
    const binaryStore = new ParameterStore(4); // same seed and names: the same latent W
    const binary = unit(binaryStore, { quantizer: SIGN });
    const x = randomInput([2, 5, 5, 3]);
    const w = real.conv.convs[0]!.weight;
    tf.tidy(() => {
      expect(maxAbsDiff(w, binary.conv.convs[0]!.weight)).toBe(0);
      const signX = tf.where(tf.greaterEqual(x, 0), tf.onesLike(x), tf.neg(tf.onesLike(x))) as tf.Tensor4D;
      const expected = real.bn.apply(tf.conv2d(signX, w as tf.Tensor4D, 1, 1), false);
      expect(maxAbsDiff(real.apply(x, false), expected)).toBeLessThan(1e-5);
      expect(maxAbsDiff(real.apply(x, false), binary.apply(x, false))).toBeGreaterThan(0.1);
    });
    x.dispose();
    store.dispose();
    binaryStore.dispose();
  });
});
