/**
 * The generic mixed op's mixes (DARTS MixedOp): how a block built once per choice combines its
 * branches' outputs. `softmaxMix` is DARTS' y = Σ_b p_b · y_b over every branch (one fused op,
 * map-mix.ts; one-hot p gives exactly the chosen branch's output). `drawBranch` is the draw a
 * single-path mix (ProxylessNAS) makes with a weight step's uniform number.
 */
import type * as tf from '../util/tfjs.js';
import { mixMaps } from './map-mix.js';
import type { BranchMix } from './relaxation-hook.js';

/** Every branch, weighted by its probability (differentiable in p unless the pass holds p constant). */
export const softmaxMix: BranchMix = ({ count, branch, p, alphaGradient }) =>
  mixMaps(
    Array.from({ length: count }, (_, b) => branch(b)),
    p,
    { coefficientGradient: alphaGradient },
  );

/** The index drawn from `probabilities` by a uniform number u ∈ [0, 1) (inverse CDF; the last index takes any rounding left over). */
export function drawBranch(probabilities: ArrayLike<number> | tf.Tensor1D, u: number): number {
  const p = 'dataSync' in probabilities ? probabilities.dataSync() : probabilities;
  for (let b = 0; b < p.length - 1; b++) {
    u -= p[b]!;
    if (u < 0) return b;
  }
  return p.length - 1;
}
