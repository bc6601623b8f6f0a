import * as tf from '../../util/tfjs.js';
import { insideClip, signPlusOne } from './sign.js';

/** α = mean |W| over every axis but the last (the output channel of an HWIO conv or IO dense kernel). */
export function channelScale(w: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => {
    const axes = [...Array(w.rank - 1).keys()];
    return tf.mean(tf.abs(w), axes) as tf.Tensor1D;
  });
}

const magnitudeAwareSignOp = tf.customGrad((w, save) => {
  const weights = w as tf.Tensor;
  (save as tf.GradSaveFunc)([weights]);
  return {
    value: tf.tidy(() => tf.mul(signPlusOne(weights), channelScale(weights))),
    gradFunc: (dy, saved) => {
      const s = saved[0]!;
      return tf.tidy(() => tf.mul(tf.mul(dy, insideClip(s, 1)), channelScale(s)));
    },
  };
});

/**
 * Weight binarization with a per-output-channel scale (XNOR-Net / Bi-Real; larq `MagnitudeAwareSign`).
 *
 * Forward:  Wb[..., o] = α_o · sign(W[..., o]),   α_o = mean |W[..., o]|,   sign(0) = +1
 * Backward: ∂L/∂W = α_o · ∂L/∂Wb · 1_{|W| ≤ 1}
 *           (α is under stop-gradient: only the `steSign` path carries gradient)
 *
 * The output channel is the last axis (tfjs HWIO conv filters, [in, out] dense kernels).
 * Inference keeps sign(W) as bits and folds α into the per-channel output transform.
 */
export function magnitudeAwareSign<T extends tf.Tensor>(w: T): T {
  return magnitudeAwareSignOp(w) as T;
}
