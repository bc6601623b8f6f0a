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
 * What the op adds to γ·x̂ + β in the pass that writes y: `residual` (x's shape), then ReLU when
 * `relu`. The values of tf.add and tf.relu after the op; the fused kernels save those ops' passes over
 * the activation, and with ReLU the backward keeps only ReLU's output (its slope masks dy).
 */
export interface BatchNormEpilogue {
  residual?: tf.Tensor4D;
  relu?: boolean;
}

/** y + the epilogue's residual, then its ReLU: as tf ops (the fused kernels do it in the pass that writes y). */
export function applyEpilogue(y: tf.Tensor4D, { residual, relu = false }: BatchNormEpilogue): tf.Tensor4D {
  const sum = residual === undefined ? y : (tf.add(y, residual) as tf.Tensor4D);
  return relu ? tf.relu(sum) : sum;
}

/**
 * Training-mode batch norm over N, H, W of an NHWC tensor as one op with its closed-form gradient.
 *
 * Forward:  x̂ = (x − μ)·r,  r = 1/sqrt(σ² + ε),  y = γ·x̂ + β   (μ, σ² = batch mean, biased variance)
 * Backward: ∂β = Σ dy;  ∂γ = Σ dy·x̂;  ∂x = γ·r/m · (m·dy − Σ dy − x̂·Σ dy·x̂)   (m = N·H·W, sums per channel)
 *
 * Same values as tf.moments + tf.batchNorm, but the tape keeps one activation-sized tensor (x̂; x on
 * the fused kernels, which compute x̂ again) instead of three and the backward runs a handful of
 * kernels: BN sits in every unit of every base, so this bounds memory and time of a K=5 step. A backend
 * that registers the fused kernels (`GroupnasBatchNormTraining` and its gradient: the native ones) runs
 * each direction as one call.
 *
 * `epilogue` adds a residual and ReLU to y (see BatchNormEpilogue).
 */
export function batchNormTraining(
  x: tf.Tensor4D,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  epsilon: number,
  epilogue: BatchNormEpilogue = {},
): BatchNormTrainingResult {
  if (hasFusedBatchNormTraining()) return fusedBatchNormTraining(x, gamma, beta, epsilon, epilogue);
  const result = composedBatchNormTraining(x, gamma, beta, epsilon);
  return { ...result, y: tf.tidy(() => applyEpilogue(result.y, epilogue)) };
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

/** Whether the backend runs training-mode batch norm as fused kernels (the native ones). */
export function hasFusedBatchNormTraining(): boolean {
  return tf.getKernel(BATCH_NORM_TRAINING, tf.getBackend()) !== undefined;
}

/** The fused forward kernel's outputs: y, the statistics the gradient takes (mean, rstd, with x) and the running averages take. */
export interface FusedBatchNormForward {
  y: tf.Tensor4D;
  mean: tf.Tensor1D;
  variance: tf.Tensor1D;
  rstd: tf.Tensor1D;
}

/** The fused forward kernel: y = γ·x̂ + β (+ residual, then ReLU when `relu`, in the pass that writes y). */
export function runFusedBatchNormForward(
  x: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  epsilon: number,
  residual?: tf.Tensor,
  relu = false,
): FusedBatchNormForward {
  const inputs: tf.NamedTensorMap = { x, gamma, beta };
  if (residual !== undefined) inputs['residual'] = residual;
  const [y, mean, variance, rstd] = tf.engine().runKernel(BATCH_NORM_TRAINING, inputs, { epsilon, relu }) as tf.Tensor[];
  return { y: y as tf.Tensor4D, mean: mean as tf.Tensor1D, variance: variance as tf.Tensor1D, rstd: rstd as tf.Tensor1D };
}

/** What the fused gradient takes from the forward: its input x, γ, and the statistics it computed. */
export interface FusedBatchNormSaved {
  x: tf.Tensor;
  gamma: tf.Tensor;
  mean: tf.Tensor;
  rstd: tf.Tensor;
}

/**
 * The fused gradient kernel: [dx, dγ, dβ]. A residual's gradient is dy itself, or with a fused ReLU
 * (`reluY`, the op's output) dy masked by ReLU's slope: the fourth output when `residualGradient`.
 */
export function runFusedBatchNormGrad(
  dy: tf.Tensor,
  { x, gamma, mean, rstd }: FusedBatchNormSaved,
  reluY?: tf.Tensor,
  residualGradient = false,
): [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D, tf.Tensor4D?] {
  const inputs: tf.NamedTensorMap = { dy, x, mean, gamma, rstd };
  if (reluY !== undefined) inputs['reluY'] = reluY;
  return tf.engine().runKernel(BATCH_NORM_TRAINING_GRAD, inputs, { residualGradient }) as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D, tf.Tensor4D?];
}

/** The same op on the fused kernels. */
function fusedBatchNormTraining(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D, epsilon: number, epilogue: BatchNormEpilogue): BatchNormTrainingResult {
  const { residual, relu = false } = epilogue;
  let stats: { mean: tf.Tensor1D; variance: tf.Tensor1D } | undefined;
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args.pop() as tf.GradSaveFunc;
    const [input, scale, offset, added] = args as tf.Tensor[];
    const forward = runFusedBatchNormForward(input!, scale!, offset!, epsilon, added, relu);
    const kept = [input!, scale!, forward.mean, forward.rstd];
    save(relu ? [...kept, forward.y] : kept);
    stats = { mean: tf.keep(forward.mean), variance: tf.keep(forward.variance) };
    return {
      value: forward.y,
      gradFunc: (dy, saved) => {
        const [xs, gs, mean, rstd, reluY] = saved as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D, tf.Tensor4D?];
        const [dx, dgamma, dbeta, dResidual] = runFusedBatchNormGrad(dy as tf.Tensor, { x: xs, gamma: gs, mean, rstd }, reluY, added !== undefined);
        if (added === undefined) return [dx, dgamma, dbeta];
        return [dx, dgamma, dbeta, dResidual ?? tf.reshape(dy as tf.Tensor, added.shape)];
      },
    };
  });
  const y = (residual === undefined ? op(x, gamma, beta) : op(x, gamma, beta, residual)) as tf.Tensor4D;
  return { y, mean: stats!.mean, variance: stats!.variance };
}
