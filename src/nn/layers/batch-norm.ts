import * as tf from '../../util/tfjs.js';
import { constant } from '../init.js';
import type { Scope } from '../parameters.js';
import { batchNormTraining } from './batch-norm-training.js';

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

  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    if (!training) {
      return tf.batchNorm(x, this.runningMean, this.runningVar, this.beta, this.gamma, this.epsilon) as tf.Tensor4D;
    }
    const { y, mean, variance } = batchNormTraining(x, this.gamma as tf.Tensor1D, this.beta as tf.Tensor1D, this.epsilon);
    if (statisticsFrozen === 0) this.updateRunningStatistics(mean, variance, x.size / this.channels);
    tf.dispose([mean, variance]);
    return y;
  }

  private updateRunningStatistics(mean: tf.Tensor, variance: tf.Tensor, count: number): void {
    const unbiased = count > 1 ? count / (count - 1) : 1;
    const m = this.momentum;
    tf.tidy(() => {
      this.runningMean.assign(tf.add(tf.mul(this.runningMean, 1 - m), tf.mul(mean, m)));
      this.runningVar.assign(tf.add(tf.mul(this.runningVar, 1 - m), tf.mul(variance, m * unbiased)));
    });
  }
}
