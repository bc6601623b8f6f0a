/**
 * FBNetV2 channel prefix masks for stage widths (DESIGN §4). The supernet holds the widest choice
 * of every stage; a choice of width w keeps channels 0..w−1. The relaxed mask is the α-weighted
 * sum of the choices' masks, m[c] = Σ_w P(w)·1{c < w} = P(width > c); one-hot α gives the 0/1 mask
 * of the chosen width.
 *
 * The mask is applied where channels are *consumed*: on the (quantized) inputs of the next convs
 * and the classifier's pooled input, not on the maps a block writes: sign(0) = +1, so a zeroed map
 * would still feed the next binary conv ±1s, and BN turns a zeroed conv output into its shift β.
 * Masked channels may hold anything in the maps; nothing reads them unmasked. Masking activations
 * (not weights) keeps the α gradient cheap: ∂L/∂m needs only the input gradients the backward pass
 * computes anyway, not every conv's filter gradient.
 */
import * as tf from '../util/tfjs.js';
import { steSign } from '../nn/quantizers/ste-sign.js';
import { stopGradient } from '../nn/stop-gradient.js';

/** [total] mask: Σ_c p[c]·1{u < kept[c]} (untidied). */
export function prefixMask(p: tf.Tensor1D, kept: readonly number[], total: number): tf.Tensor1D {
  const rows = kept.map((k) => Array.from({ length: total }, (_, u) => (u < k ? 1 : 0)));
  return tf.reshape(tf.matMul(tf.reshape(p, [1, -1]), tf.tensor2d(rows, [kept.length, total])), [total]) as tf.Tensor1D;
}

/** Channels (last axis) of `x` weighted by `mask` (nothing to do without one). */
export function maskChannels<T extends tf.Tensor>(x: T, mask: tf.Tensor1D | undefined): T {
  return mask === undefined ? x : (tf.mul(x, mask) as T);
}

/** A conv weight [kh, kw, cin, cout] with input channel c scaled by mask[c] (untidied). */
export function maskInputChannels(weight: tf.Tensor4D, mask: tf.Tensor1D | undefined): tf.Tensor4D {
  return mask === undefined ? weight : (tf.mul(weight, tf.reshape(mask, [1, 1, -1, 1])) as tf.Tensor4D);
}

/**
 * A binary conv weight [kh, kw, cin, cout] for inputs whose channels `inMask` keeps:
 *   Wb = α_o · sign(W),   α_o = Σ_{t,c} m[c]·|W[t,c,o]| / (taps · Σ_c m[c])
 * With a 0/1 mask (and the masked inputs zero) this is nn's `magnitudeAwareSign` of the kept slice:
 * α = mean |W| over the kept input channels. Gradient: clipped STE to W with α constant, as nn's.
 * The mask enters α as a value read off the tape (a [cin] read, no path from α through the conv
 * weights), so the α step costs no filter gradient; nn's α carries no gradient either.
 */
export function binaryWeightOverKept(w: tf.Tensor4D, inMask: tf.Tensor1D): tf.Tensor4D {
  const m = tf.tensor4d(inMask.dataSync(), [1, 1, inMask.size, 1]);
  const taps = w.shape[0] * w.shape[1];
  const alpha = tf.div(tf.sum(tf.mul(tf.abs(stopGradient(w)), m), [0, 1, 2]), tf.mul(tf.sum(m), taps));
  return tf.mul(steSign(w), alpha) as tf.Tensor4D;
}
