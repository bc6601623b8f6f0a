import * as tf from '../../util/tfjs.js';
import { constant } from '../init.js';
import type { BatchNormTrainingResult } from '../layers/batch-norm-training.js';
import { Conv2d, type Conv2dOptions } from '../layers/conv2d.js';
import type { BatchNormParameters } from '../layers/sign-conv-batch-norm.js';
import type { Scope } from '../parameters.js';

/**
 * The conv of one layer: a single conv, or for layer-wise binary decomposition (LBD) K convs on the
 * same input summed with learned scales, y = Σ_k s_k · conv_k(x), s initialised to 1/K.
 *
 * Names: K = 1 → `weight`; K > 1 → `bases.{k}.weight` and `scales` [K].
 */
export class DecomposedConv {
  readonly convs: Conv2d[];
  readonly scales: tf.Variable | undefined;

  constructor(scope: Scope, options: Conv2dOptions, bases: number) {
    if (bases === 1) {
      this.convs = [new Conv2d(scope, options)];
      this.scales = undefined;
    } else {
      this.convs = Array.from({ length: bases }, (_, k) => new Conv2d(scope.child('bases').child(k), options));
      this.scales = scope.param('scales', [bases], constant(1 / bases));
    }
  }

  /**
   * Σ_k s_k·conv(x, Wb_k) computed as conv(x, Σ_k s_k·Wb_k): convolution is linear in the weights,
   * so training runs one conv instead of K (the packed engine still runs K binary convs).
   */
  apply(x: tf.Tensor4D): tf.Tensor4D {
    return this.convs[0]!.convolve(x, this.weight());
  }

  /** `apply(steSign(x))` as one op (see signConv2d). */
  applyToSign(x: tf.Tensor4D): tf.Tensor4D {
    return this.convs[0]!.convolveSign(x, this.weight());
  }

  /** `applyToSign(x)` and a training-mode BN (+ residual) after it, as one op where the backend fuses them. */
  applyToSignNormalized(x: tf.Tensor4D, norm: BatchNormParameters, residual?: tf.Tensor4D): BatchNormTrainingResult {
    return this.convs[0]!.convolveSignNormalized(x, this.weight(), norm, residual);
  }

  /** The weights the layer convolves with: one conv's, or Σ_k s_k·Wb_k. */
  private weight(): tf.Tensor4D {
    if (this.scales === undefined) return this.convs[0]!.effectiveWeight();
    const scales = tf.unstack(this.scales);
    return tf.addN(this.convs.map((c, k) => tf.mul(c.effectiveWeight(), scales[k]!))) as tf.Tensor4D;
  }
}
