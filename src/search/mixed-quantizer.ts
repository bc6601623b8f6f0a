/**
 * Mixed activation precision (DESIGN §4): the softmax-weighted sum of the candidate quantizers'
 * outputs, Σ_b p_b · q_b(x). Each q_b is the exact quantizer a discrete group with b bits uses
 * (sign with STE for 1 bit; ReLU then k-bit uniform for 2/4), so one-hot weights give exactly that
 * group's activations (1·q + 0·others is exact in floating point).
 */
import * as tf from '@tensorflow/tfjs';
import { activationQuantizerFor, quantizeActivation, type SignEstimator } from '../nn/activation.js';
import type { ActivationBits } from '../space/arch.js';

export interface MixedQuantizerOptions {
  estimator: SignEstimator;
  /** Clip β of k-bit activations (same as `buildModel`'s `activationClip`). */
  beta: number;
}

/** A quantizer function for one block: `weights[b]` scales the output of `bits[b]`. */
export function mixedQuantizer(bits: readonly ActivationBits[], weights: readonly tf.Scalar[] | undefined, options: MixedQuantizerOptions): (x: tf.Tensor4D) => tf.Tensor4D {
  const quantizers = bits.map((b) => activationQuantizerFor(b, options.estimator, options.beta)!);
  if (quantizers.length === 1) return (x) => quantizeActivation(x, quantizers[0]!);
  if (weights === undefined || weights.length !== quantizers.length) throw new Error(`mixed quantizer: ${weights?.length ?? 0} weights for ${bits.length} bit widths`);
  return (x) => tf.addN(quantizers.map((q, i) => tf.mul(quantizeActivation(x, q), weights[i]!))) as tf.Tensor4D;
}
