import * as tf from '../../util/tfjs.js';

/*
 * Sign and the straight-through masks, shared by every quantizer (and the search's mixed one).
 * Indicators are written with tf.step (x > 0 ? 1 : alpha), exact at every float including ±0: a
 * difference of floats is 0 only when they are equal and otherwise keeps its sign. On wasm a
 * comparison + cast or a select costs 4–6× a step (stock unary kernels are SIMD, comparisons and
 * SelectV2 are not), and these run forward and backward on every activation of every base.
 */

/**
 * `sign` with `sign(0) = +1` (tf.sign maps 0 to 0, which a single bit cannot hold).
 * Forward only, no gradient of its own: the quantizers wrap it in `tf.customGrad`.
 *
 * Bit convention shared with the packed kernels: +1 ↔ bit 0, −1 ↔ bit 1.
 */
export function signPlusOne<T extends tf.Tensor>(x: T): T {
  return tf.tidy(() => tf.neg(negatedSign(x)) as T);
}

/** −signPlusOne(x) in one step: step(−x, −1) is +1 below zero and −1 at or above it. */
export function negatedSign<T extends tf.Tensor>(x: T): T {
  return tf.tidy(() => tf.step(tf.neg(x), -1) as T);
}

/** `1` where `|x| ≤ clip` (inclusive, as larq), `0` elsewhere, as float32: 1 − step(|x| − clip). */
export function insideClip<T extends tf.Tensor>(x: T, clip: number): T {
  return tf.tidy(() => tf.sub(1, tf.step(tf.sub(tf.abs(x), clip))) as T);
}

/** `1` where the clip left `x` unchanged (`clipped` = clipByValue(x, lo, hi)), `0` elsewhere: 1 − step(|clipped − x|). */
export function keptByClip<T extends tf.Tensor>(x: T, clipped: T): T {
  return tf.tidy(() => tf.sub(1, tf.step(tf.abs(tf.sub(clipped, x)))) as T);
}

/** Bi-Real Net's slope of sign: 2 − 2|x| on |x| ≤ 1, 0 outside (it is 0 at |x| = 1 anyway), = relu(2 − 2|x|). */
export function approxSignSlope<T extends tf.Tensor>(x: T): T {
  return tf.tidy(() => tf.relu(tf.sub(2, tf.mul(tf.abs(x), 2))) as T);
}
