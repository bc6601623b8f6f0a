import * as tf from '../../util/tfjs.js';
import { MAGNITUDE_AWARE_SIGN, MAGNITUDE_AWARE_SIGN_GRAD } from '../../util/kernel-names.js';
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

/** The same op as one kernel each way, on a backend that registers them (the native kernels). */
const fusedMagnitudeAwareSignOp = tf.customGrad((w, save) => {
  const [wb, alpha] = tf.engine().runKernel(MAGNITUDE_AWARE_SIGN, { w: w as tf.Tensor }) as tf.Tensor[];
  (save as tf.GradSaveFunc)([w as tf.Tensor, alpha!]);
  return {
    value: wb!,
    gradFunc: (dy, saved) => tf.engine().runKernel(MAGNITUDE_AWARE_SIGN_GRAD, { w: saved[0]!, dy: dy as tf.Tensor, alpha: saved[1]! }) as tf.Tensor,
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
 * Inference keeps sign(W) as bits and folds α into the per-channel output transform. Where the
 * backend registers `GroupnasMagnitudeAwareSign` each direction is one call instead of 14 small ops.
 */
export function magnitudeAwareSign<T extends tf.Tensor>(w: T): T {
  const fused = w.dtype === 'float32' && tf.getKernel(MAGNITUDE_AWARE_SIGN, tf.getBackend()) !== undefined;
  return (fused ? fusedMagnitudeAwareSignOp(w) : magnitudeAwareSignOp(w)) as T;
}
