import * as tf from '../util/tfjs.js';
import type { ActivationBits } from '../space/arch.js';
import { approxSign } from './quantizers/approx-sign.js';
import { steSign } from './quantizers/ste-sign.js';
import { uniformQuant } from './quantizers/uniform-quant.js';

/** Which sign estimator 1-bit activations use in the backward pass. */
export type SignEstimator = 'ste' | 'approx';

/** How a binary unit quantizes its input activations. */
export type ActivationQuantizer =
  | { kind: 'sign'; estimator: SignEstimator }
  /**
   * k-bit `uniformQuant` of the ReLU'd input (supplement S4.1: Conv → BN → ReLU → Quantize). The
   * quantizer's clip(y, 0, β) already is the ReLU (same values; gradient differs only at y = 0
   * exactly), so no separate ReLU op is run or kept on the tape.
   */
  | { kind: 'uniform'; bits: number; beta: number };

/** The quantizer for a group's activation bits; undefined for 32 (full precision). */
export function activationQuantizerFor(bits: ActivationBits, estimator: SignEstimator, beta: number): ActivationQuantizer | undefined {
  if (bits === 32) return undefined;
  if (bits === 1) return { kind: 'sign', estimator };
  return { kind: 'uniform', bits, beta };
}

export function quantizeActivation(x: tf.Tensor4D, q: ActivationQuantizer): tf.Tensor4D {
  if (q.kind === 'sign') return q.estimator === 'approx' ? approxSign(x) : steSign(x);
  return uniformQuant(x, q.bits, q.beta);
}
