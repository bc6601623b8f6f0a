/**
 * FBNetV2 channel prefix masks for stage widths (DESIGN §4). The supernet holds the widest choice
 * of every stage; a choice of width w keeps channels 0..w−1. The relaxed mask is the α-weighted
 * sum of the choices' masks, m[c] = Σ_w P(w)·1{c < w} = P(width > c); one-hot α gives the 0/1 mask
 * of the chosen width.
 *
 * The mask is applied where channels are *consumed* (the input channels of the next convs' weights,
 * the classifier's pooled input), not on feature maps: sign(0) = +1, so a zeroed binary activation
 * would still feed the next conv, and BN turns a zeroed conv output into its shift β. Masked
 * channels may hold anything in the maps; nothing reads them.
 */
import * as tf from '@tensorflow/tfjs';
import { stopGradient } from '../nn/stop-gradient.js';
import { steSign } from '../nn/quantizers/ste-sign.js';

/** [total] mask: Σ_c p[c]·1{u < kept[c]} (untidied). */
export function prefixMask(p: tf.Tensor1D, kept: readonly number[], total: number): tf.Tensor1D {
  const rows = kept.map((k) => Array.from({ length: total }, (_, u) => (u < k ? 1 : 0)));
  return tf.reshape(tf.matMul(tf.reshape(p, [1, -1]), tf.tensor2d(rows, [kept.length, total])), [total]) as tf.Tensor1D;
}

/**
 * A binary conv weight [kh, kw, cin, cout] over the input channels `inMask` keeps:
 *   Wb = α_o · sign(W) · m[c],   α_o = Σ_{t,c} m[c]·|W[t,c,o]| / (taps · Σ_c m[c])
 * With a 0/1 mask this is nn's `magnitudeAwareSign` of the kept slice (α = mean |W| over the kept
 * input channels), padded with zero rows. Gradient: clipped STE to W (α under stop-gradient, as
 * nn's) and Σ dWb·α·sign(W) to the mask.
 */
export function maskedBinaryWeight(w: tf.Tensor4D, inMask: tf.Tensor1D): tf.Tensor4D {
  const m = tf.reshape(inMask, [1, 1, -1, 1]);
  const taps = w.shape[0] * w.shape[1];
  const alpha = stopGradient(tf.div(tf.sum(tf.mul(tf.abs(w), m), [0, 1, 2]), tf.mul(tf.sum(inMask), taps)));
  return tf.mul(tf.mul(steSign(w), alpha), m) as tf.Tensor4D;
}

/** A float weight with its input channels masked. */
export function maskedFloatWeight(w: tf.Tensor4D, inMask: tf.Tensor1D): tf.Tensor4D {
  return tf.mul(w, tf.reshape(inMask, [1, 1, -1, 1])) as tf.Tensor4D;
}
