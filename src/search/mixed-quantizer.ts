/**
 * Mixed activation precision (DESIGN §4): the weighted sum of the candidate quantizers' outputs,
 * Σ_b p_b · q_b(x). Each q_b is the exact quantizer a discrete group with b bits uses (sign with
 * STE for 1 bit; ReLU then k-bit uniform for 2/4), so one-hot weights give exactly that group's
 * activations (1·q + 0·others is exact in floating point).
 *
 * One fused op: the forward keeps only its output (not every quantizer's, which multiplied the
 * supernet's memory past wasm's heap at K = 5); the backward recomputes what it needs:
 *   ∂/∂x   = dy · Σ_b p_b · q_b'(x)   (STE masks: 1{|x| ≤ 1} for sign, 1{0 ≤ x ≤ β} for k-bit)
 *   ∂/∂p_b = Σ dy · q_b(x)
 */
import * as tf from '../util/tfjs.js';
import { activationQuantizerFor, quantizeActivation, type SignEstimator } from '../nn/activation.js';
import { uniformQuant } from '../nn/quantizers/uniform-quant.js';
import { signPlusOne } from '../nn/quantizers/sign.js';
import type { ActivationBits } from '../space/arch.js';

export interface MixedQuantizerOptions {
  estimator: SignEstimator;
  /** Clip β of k-bit activations (same as `buildModel`'s `activationClip`). */
  beta: number;
}

/** Forward values of one quantizer (no gradient; the fused op supplies it). */
function quantizeValue(x: tf.Tensor4D, bits: ActivationBits, beta: number): tf.Tensor4D {
  // uniformQuant's clip(y, 0, β) is the ReLU (as nn's quantizeActivation relies on).
  return bits === 1 ? signPlusOne(x) : uniformQuant(x, bits, beta);
}

/** The straight-through derivative of one quantizer. */
function quantizeSlope(x: tf.Tensor4D, bits: ActivationBits, beta: number, estimator: SignEstimator): tf.Tensor4D {
  if (bits === 1) {
    if (estimator === 'approx') return tf.where(tf.lessEqual(tf.abs(x), 1), tf.sub(2, tf.mul(2, tf.abs(x))), tf.zerosLike(x));
    return tf.cast(tf.lessEqual(tf.abs(x), 1), 'float32') as tf.Tensor4D;
  }
  return tf.cast(tf.logicalAnd(tf.greaterEqual(x, 0), tf.lessEqual(x, beta)), 'float32') as tf.Tensor4D;
}

/** A quantizer function for one block: `weights` [bits] scales the output of each of `bits`. */
export function mixedQuantizer(bits: readonly ActivationBits[], weights: tf.Tensor1D | undefined, options: MixedQuantizerOptions): (x: tf.Tensor4D) => tf.Tensor4D {
  if (bits.length === 1) {
    const q = activationQuantizerFor(bits[0]!, options.estimator, options.beta)!;
    return (x) => quantizeActivation(x, q);
  }
  if (weights === undefined || weights.size !== bits.length) throw new Error(`mixed quantizer: ${weights?.size ?? 0} weights for ${bits.length} bit widths`);
  const { beta, estimator } = options;
  const op = tf.customGrad((x, p, save) => {
    const input = x as tf.Tensor4D;
    const probabilities = p as tf.Tensor1D;
    (save as tf.GradSaveFunc)([input, probabilities]);
    return {
      value: tf.tidy(() => {
        const ps = tf.unstack(probabilities);
        return tf.addN(bits.map((b, i) => tf.mul(quantizeValue(input, b, beta), ps[i]!)));
      }),
      gradFunc: (dy, saved) =>
        tf.tidy(() => {
          const [s, sp] = saved as [tf.Tensor4D, tf.Tensor1D];
          const ps = tf.unstack(sp);
          const slope = tf.addN(bits.map((b, i) => tf.mul(quantizeSlope(s, b, beta, estimator), ps[i]!)));
          const dp = tf.stack(bits.map((b) => tf.sum(tf.mul(dy as tf.Tensor, quantizeValue(s, b, beta)))));
          return [tf.mul(dy as tf.Tensor, slope), dp];
        }),
    };
  });
  return (x) => op(x, weights) as tf.Tensor4D;
}
