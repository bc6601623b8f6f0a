import * as tf from '@tensorflow/tfjs';
import { constant } from '../init.js';
import type { Scope } from '../parameters.js';

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
    const { mean, variance } = tf.moments(x, [0, 1, 2]);
    this.updateRunningStatistics(mean, variance, x.size / this.channels);
    return tf.batchNorm(x, mean, variance, this.beta, this.gamma, this.epsilon) as tf.Tensor4D;
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
