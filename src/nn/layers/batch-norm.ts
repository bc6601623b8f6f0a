import * as tf from '../../util/tfjs.js';
import { constant } from '../init.js';
import type { Scope } from '../parameters.js';
import { applyEpilogue, batchNormTraining, type BatchNormEpilogue, type BatchNormTrainingResult } from './batch-norm-training.js';

let statisticsFrozen = 0;

/**
 * Run `f` with every BatchNorm's running statistics held still (training-mode BNs still normalize
 * with batch statistics). Gradient checkpointing recomputes a forward pass that must not count twice.
 */
export function withRunningStatisticsFrozen<T>(f: () => T): T {
  statisticsFrozen++;
  try {
    return f();
  } finally {
    statisticsFrozen--;
  }
}

/**
 * Batch normalization over the channel (last) axis of NHWC tensors, PyTorch semantics:
 * training mode normalizes with the batch's mean and biased variance and moves the running
 * statistics by `momentum` (running variance uses the unbiased estimate); inference mode uses the
 * running statistics. Parameters: `gamma`, `beta`; buffers: `runningMean`, `runningVar`.
 */
export class BatchNorm {
  readonly gamma: tf.Variable;
  readonly beta: tf.Variable;
  readonly runningMean: tf.Variable;
  readonly runningVar: tf.Variable;

  constructor(
    scope: Scope,
    readonly channels: number,
    /** Weight of the newest batch in the running statistics; `recalibrateBatchNorm` varies it. */
    public momentum = 0.1,
    readonly epsilon = 1e-5,
  ) {
    this.gamma = scope.param('gamma', [channels], constant(1));
    this.beta = scope.param('beta', [channels], constant(0));
    this.runningMean = scope.buffer('runningMean', [channels], constant(0));
    this.runningVar = scope.buffer('runningVar', [channels], constant(1));
  }

  /** BN(x), plus the epilogue's residual and ReLU (fused into the op in training, where the backend can). */
  apply(x: tf.Tensor4D, training: boolean, epilogue: BatchNormEpilogue = {}): tf.Tensor4D {
    if (!training) {
      return tf.tidy(() => applyEpilogue(tf.batchNorm(x, this.runningMean, this.runningVar, this.beta, this.gamma, this.epsilon) as tf.Tensor4D, epilogue));
    }
    return this.record(batchNormTraining(x, this.gamma as tf.Tensor1D, this.beta as tf.Tensor1D, this.epsilon, epilogue));
  }

  /** y of a training-mode forward of this BN (made by batchNormTraining or an op that fuses it), its batch statistics recorded. */
  record({ y, mean, variance }: BatchNormTrainingResult): tf.Tensor4D {
    if (statisticsFrozen === 0) this.updateRunningStatistics(mean, variance, y.size / this.channels);
    tf.dispose([mean, variance]);
    return y;
  }

  /**
   * running ← running·(1 − m) + batch·m, on the host: a few hundred floats, where six tfjs ops (and
   * four scalars) per layer cost more in dispatch than the arithmetic.
   */
  private updateRunningStatistics(mean: tf.Tensor, variance: tf.Tensor, count: number): void {
    const unbiased = count > 1 ? count / (count - 1) : 1;
    const m = this.momentum;
    tf.tidy(() => {
      this.runningMean.assign(tf.tensor1d(movingAverage(this.runningMean.dataSync(), mean.dataSync(), 1 - m, m)));
      this.runningVar.assign(tf.tensor1d(movingAverage(this.runningVar.dataSync(), variance.dataSync(), 1 - m, m * unbiased)));
    });
  }
}

/**
 * running·keep + batch·take element by element, in float32 exactly as tf.add(tf.mul(running, keep),
 * tf.mul(batch, take)) gives it: the factors are float32 scalars, and a product or sum of two float32
 * values computed in double and rounded once is the float32 result.
 */
export function movingAverage(running: tf.TypedArray, batch: tf.TypedArray, keep: number, take: number): Float32Array {
  const k = Math.fround(keep);
  const t = Math.fround(take);
  const out = new Float32Array(running.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.fround(running[i]! * k) + Math.fround(batch[i]! * t);
  return out;
}
