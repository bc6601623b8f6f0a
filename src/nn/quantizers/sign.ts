import * as tf from '../../util/tfjs.js';

/**
 * `sign` with `sign(0) = +1` (tf.sign maps 0 to 0, which a single bit cannot hold).
 * Forward only, no gradient of its own: the quantizers wrap it in `tf.customGrad`.
 *
 * Bit convention shared with the packed kernels: +1 ↔ bit 0, −1 ↔ bit 1.
 */
export function signPlusOne<T extends tf.Tensor>(x: T): T {
  return tf.tidy(() => tf.where(tf.greaterEqual(x, 0), tf.onesLike(x), tf.onesLike(x).neg()) as T);
}

/** `1` where `|x| ≤ clip` (inclusive, as larq), `0` elsewhere, as float32. */
export function insideClip<T extends tf.Tensor>(x: T, clip: number): T {
  return tf.tidy(() => tf.cast(tf.lessEqual(tf.abs(x), clip), 'float32') as T);
}
