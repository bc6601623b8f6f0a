/**
 * Mixed activation precision (DESIGN §4): the weighted sum of the candidate quantizers' outputs,
 * Σ_b p_b · q_b(x). Each q_b is the exact quantizer a discrete group with b bits uses (sign with
 * STE for 1 bit; ReLU then k-bit uniform for 2/4), so one-hot weights give exactly that group's
 * activations (1·q + 0·others is exact in floating point).
 *
 * One fused op: the forward keeps only its input (not every quantizer's output, which multiplied
 * the supernet's memory past wasm's heap at K = 5); the backward recomputes what it needs:
 *   ∂/∂x   = dy · Σ_b p_b · q_b'(x)   (STE masks: 1{|x| ≤ 1} for sign, 1{0 ≤ x ≤ β} for k-bit)
 *   ∂/∂p_b = Σ dy · q_b(x)            (skipped when p is a constant of the pass: a weight step)
 * Every k-bit quantizer shares one clip and one STE mask: the op runs on every unit of every base,
 * so each activation-sized pass it saves counts. Where the backend has the fused kernels
 * (MIXED_QUANTIZE: the native training kernels), each pass is one kernel with the same arithmetic.
 */
import * as tf from '../util/tfjs.js';
import { activationQuantizerFor, quantizeActivation, type SignEstimator } from '../nn/activation.js';
import { approxSignSlope, insideClip, keptByClip, negatedSign } from '../nn/quantizers/sign.js';
import { clippedLevelIndex } from '../nn/quantizers/uniform-quant.js';
import type { ActivationBits } from '../space/arch.js';
import { MIXED_QUANTIZE, MIXED_QUANTIZE_GRAD } from '../util/kernel-names.js';

export interface MixedQuantizerOptions {
  estimator: SignEstimator;
  /** Clip β of k-bit activations (same as `buildModel`'s `activationClip`). */
  beta: number;
  /** Whether the pass differentiates the weights p (default true); false skips ∂/∂p (returned as zeros). */
  weightsGradient?: boolean;
}

/** The k-bit level index of nn's uniformQuant (over the shared clip) and its grid step β/(2^k − 1). */
function kBitLevels(clipped: tf.Tensor4D, bits: ActivationBits, beta: number): { index: tf.Tensor4D; step: number } {
  const levels = 2 ** bits - 1;
  return { index: clippedLevelIndex(clipped, levels, beta), step: beta / levels };
}

/** Σ_b p_b·q_b(x) (forward values; the fused op supplies the gradient). */
function mixedValue(x: tf.Tensor4D, bits: readonly ActivationBits[], p: tf.Scalar[], beta: number): tf.Tensor4D {
  const clipped = bits.some((b) => b !== 1) ? (tf.clipByValue(x, 0, beta) as tf.Tensor4D) : undefined;
  return tf.addN(
    bits.map((b, i) => {
      if (b === 1) return tf.mul(negatedSign(x), tf.neg(p[i]!));
      const { index, step } = kBitLevels(clipped!, b, beta);
      return tf.mul(tf.mul(index, step), p[i]!);
    }),
  ) as tf.Tensor4D;
}

/** Σ_b p_b·q_b'(x): the sign's slope weighted by P(1 bit), the k-bit STE mask 1{0 ≤ x ≤ β} by P(k-bit). */
function mixedSlope(x: tf.Tensor4D, clipped: tf.Tensor4D | undefined, bits: readonly ActivationBits[], p: tf.Scalar[], estimator: SignEstimator): tf.Tensor4D {
  const terms: tf.Tensor4D[] = [];
  const one = bits.indexOf(1);
  if (one >= 0) {
    const slope = estimator === 'approx' ? approxSignSlope(x) : insideClip(x, 1);
    terms.push(tf.mul(slope, p[one]!) as tf.Tensor4D);
  }
  const kBit = bits.flatMap((b, i) => (b === 1 ? [] : [p[i]!]));
  if (kBit.length > 0) {
    const inside = keptByClip(x, clipped!);
    terms.push(tf.mul(inside, kBit.length === 1 ? kBit[0]! : tf.addN(kBit)) as tf.Tensor4D);
  }
  return (terms.length === 1 ? terms[0]! : tf.add(terms[0]!, terms[1]!)) as tf.Tensor4D;
}

/** [Σ dy·q_b(x)] per b: ∂/∂p of the mix. */
function mixWeightGradient(dy: tf.Tensor, x: tf.Tensor4D, clipped: tf.Tensor4D | undefined, bits: readonly ActivationBits[], beta: number): tf.Tensor1D {
  return tf.stack(
    bits.map((b) => {
      if (b === 1) return tf.neg(tf.sum(tf.mul(dy, negatedSign(x))));
      const { index, step } = kBitLevels(clipped!, b, beta);
      return tf.mul(tf.sum(tf.mul(dy, index)), step);
    }),
  ) as tf.Tensor1D;
}

/** A quantizer function for one block: `weights` [bits] scales the output of each of `bits`. */
export function mixedQuantizer(
  bits: readonly ActivationBits[],
  weights: tf.Tensor1D | undefined,
  options: MixedQuantizerOptions,
): (x: tf.Tensor4D) => tf.Tensor4D {
  if (bits.length === 1) {
    const q = activationQuantizerFor(bits[0]!, options.estimator, options.beta)!;
    return (x) => quantizeActivation(x, q);
  }
  if (weights === undefined || weights.size !== bits.length) throw new Error(`mixed quantizer: ${weights?.size ?? 0} weights for ${bits.length} bit widths`);
  const { beta, estimator } = options;
  const weightsGradient = options.weightsGradient ?? true;
  const attrs = { bits: [...bits], beta };
  const op = tf.customGrad((x, p, save) => {
    const fused = tf.getKernel(MIXED_QUANTIZE, tf.getBackend()) !== undefined;
    const input = x as tf.Tensor4D;
    const probabilities = p as tf.Tensor1D;
    (save as tf.GradSaveFunc)([input, probabilities]);
    return {
      value: fused
        ? (tf.engine().runKernel(MIXED_QUANTIZE, { x: input, p: probabilities }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor4D)
        : tf.tidy(() => mixedValue(input, bits, tf.unstack(probabilities) as tf.Scalar[], beta)),
      gradFunc: (dy, saved) => {
        const [s, sp] = saved as [tf.Tensor4D, tf.Tensor1D];
        if (fused) {
          const gradAttrs = { ...attrs, approx: estimator === 'approx', weightsGradient };
          return tf.engine().runKernel(MIXED_QUANTIZE_GRAD, { x: s, dy: dy as tf.Tensor, p: sp }, gradAttrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
        }
        return tf.tidy(() => {
          const clipped = bits.some((b) => b !== 1) ? (tf.clipByValue(s, 0, beta) as tf.Tensor4D) : undefined;
          const dx = tf.mul(dy as tf.Tensor, mixedSlope(s, clipped, bits, tf.unstack(sp) as tf.Scalar[], estimator));
          return [dx, weightsGradient ? mixWeightGradient(dy as tf.Tensor, s, clipped, bits, beta) : tf.zerosLike(sp)];
        });
      },
    };
  });
  return (x) => op(x, weights) as tf.Tensor4D;
}
