import * as tf from '../../util/tfjs.js';
import { BATCH_NORM_TRAINING, BATCH_NORM_TRAINING_GRAD } from '../../util/kernel-names.js';

/** Output of a training-mode batch norm, with the batch statistics for the running averages. */
export interface BatchNormTrainingResult {
  y: tf.Tensor4D;
  /** Batch mean and biased variance per channel; not differentiated; the caller disposes them. */
  mean: tf.Tensor1D;
  variance: tf.Tensor1D;
}

/**
 * Training-mode batch norm over N, H, W of an NHWC tensor as one op with its closed-form gradient.
 *
 * Forward:  x̂ = (x − μ)·r,  r = 1/sqrt(σ² + ε),  y = γ·x̂ + β   (μ, σ² = batch mean, biased variance)
 * Backward: ∂β = Σ dy;  ∂γ = Σ dy·x̂;  ∂x = γ·r/m · (m·dy − Σ dy − x̂·Σ dy·x̂)   (m = N·H·W, sums per channel)
 *
 * Same values as tf.moments + tf.batchNorm, but the tape keeps one activation-sized tensor (x̂)
 * instead of three and the backward runs a handful of kernels: BN sits in every unit of every base,
 * so this bounds memory and time of a K=5 step. A backend that registers the fused kernels
 * (`GroupnasBatchNormTraining` and its gradient: the native ones) runs each direction as one call.
 *
 * `residual` (x's shape) is added to y: y = γ·x̂ + β + residual, the values of tf.add after the op;
 * the fused kernels add it in the same pass, saving a write and a read of an activation.
 */
export function batchNormTraining(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D, epsilon: number, residual?: tf.Tensor4D): BatchNormTrainingResult {
  if (tf.getKernel(BATCH_NORM_TRAINING, tf.getBackend()) !== undefined) return fusedBatchNormTraining(x, gamma, beta, epsilon, residual);
  const result = composedBatchNormTraining(x, gamma, beta, epsilon);
  if (residual === undefined) return result;
  return { ...result, y: tf.tidy(() => tf.add(result.y, residual)) };
}

function composedBatchNormTraining(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D, epsilon: number): BatchNormTrainingResult {
  let stats: { mean: tf.Tensor1D; variance: tf.Tensor1D } | undefined;
  const op = tf.customGrad((input, scale, offset, save) => {
    const xs = input as tf.Tensor4D;
    const g = scale as tf.Tensor1D;
    const { mean, variance } = tf.moments(xs, [0, 1, 2]);
    const rstd = tf.rsqrt(tf.add(variance, epsilon));
    const xhat = tf.mul(tf.sub(xs, mean), rstd);
    (save as tf.GradSaveFunc)([xhat, g, rstd]);
    stats = { mean: tf.keep(mean as tf.Tensor1D), variance: tf.keep(variance as tf.Tensor1D) };
    return {
      value: tf.add(tf.mul(xhat, g), offset as tf.Tensor1D) as tf.Tensor4D,
      gradFunc: (dy, saved) => {
        const [xh, gs, r] = saved as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D];
        const m = dy.size / gs.size;
        const sumDy = tf.sum(dy, [0, 1, 2]);
        const sumDyXhat = tf.sum(tf.mul(dy, xh), [0, 1, 2]);
        const dx = tf.mul(tf.sub(tf.sub(tf.mul(dy, m), sumDy), tf.mul(xh, sumDyXhat)), tf.div(tf.mul(gs, r), m));
        return [dx, sumDyXhat, sumDy];
      },
    };
  });
  const y = op(x, gamma, beta) as tf.Tensor4D;
  return { y, mean: stats!.mean, variance: stats!.variance };
}

/**
 * The same op on the fused kernels (outputs [y, x̂, mean, variance, rstd]; gradient [dx, dγ, dβ]). A
 * residual is added in the pass that writes y, and its gradient is dy itself.
 */
function fusedBatchNormTraining(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D, epsilon: number, residual?: tf.Tensor4D): BatchNormTrainingResult {
  let stats: { mean: tf.Tensor1D; variance: tf.Tensor1D } | undefined;
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args.pop() as tf.GradSaveFunc;
    const [input, scale, offset, added] = args as tf.Tensor[];
    const inputs: tf.NamedTensorMap = { x: input!, gamma: scale!, beta: offset! };
    if (added !== undefined) inputs['residual'] = added;
    const [y, xhat, mean, variance, rstd] = tf.engine().runKernel(BATCH_NORM_TRAINING, inputs, { epsilon }) as tf.Tensor[];
    save([xhat!, scale!, rstd!]);
    stats = { mean: tf.keep(mean as tf.Tensor1D), variance: tf.keep(variance as tf.Tensor1D) };
    return {
      value: y as tf.Tensor4D,
      gradFunc: (dy, saved) => {
        const [xh, gs, r] = saved as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D];
        const grads = tf.engine().runKernel(BATCH_NORM_TRAINING_GRAD, { dy: dy as tf.Tensor, xhat: xh, gamma: gs, rstd: r }, {}) as tf.Tensor[];
        return added === undefined ? grads : [...grads, tf.reshape(dy as tf.Tensor, added.shape)];
      },
    };
  });
  const y = (residual === undefined ? op(x, gamma, beta) : op(x, gamma, beta, residual)) as tf.Tensor4D;
  return { y, mean: stats!.mean, variance: stats!.variance };
}
