import * as tf from '../../util/tfjs.js';
import {
  batchNormTraining,
  hasFusedBatchNormTraining,
  runFusedBatchNormForward,
  runFusedBatchNormGrad,
  type BatchNormTrainingResult,
} from './batch-norm-training.js';
import { hasFusedSignConv2d, runFusedSignConv2d, runFusedSignConv2dGrads, signConv2d, type SignConvGeometry } from './sign-conv2d.js';

/** BN's learned scale and shift and its ε. */
export interface BatchNormParameters {
  gamma: tf.Variable | tf.Tensor1D;
  beta: tf.Variable | tf.Tensor1D;
  epsilon: number;
}

/**
 * A binary unit's training forward, batchNormTraining(signConv2d(x, W), γ, β, ε, residual), as one op
 * where the backend fuses both (the native kernels), with the same values:
 *
 * - the tape keeps the bits of x (not x) and the convolution's output, BN's input;
 * - when the residual is x itself (an identity shortcut), x's two gradients, through the conv and
 *   through the residual, are summed inside the input-gradient kernel while its rows are in cache,
 *   where autograd would add them in a pass over two activations of its own. With no other use of x
 *   that is the same sum, so the same bits; where x feeds more ops, autograd adds this sum to theirs.
 */
export function signConvBatchNorm(
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  geometry: SignConvGeometry,
  norm: BatchNormParameters,
  residual?: tf.Tensor4D,
): BatchNormTrainingResult {
  const { gamma, beta, epsilon } = norm;
  if (!hasFusedSignConv2d() || !hasFusedBatchNormTraining()) {
    const { stride, pad, dilation } = geometry;
    return batchNormTraining(signConv2d(x, filter, stride, pad, dilation), gamma as tf.Tensor1D, beta as tf.Tensor1D, epsilon, { residual });
  }
  const residualIsInput = residual === x;
  let stats: { mean: tf.Tensor1D; variance: tf.Tensor1D } | undefined;
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args.pop() as tf.GradSaveFunc;
    const [input, weights, scale, offset, added] = args as tf.Tensor[];
    const [conv, bits] = runFusedSignConv2d(input!, weights!, geometry);
    const forward = runFusedBatchNormForward(conv, scale!, offset!, epsilon, residualIsInput ? input : added);
    save([weights!, bits, conv, scale!, forward.mean, forward.rstd]);
    stats = { mean: tf.keep(forward.mean), variance: tf.keep(forward.variance) };
    const inputShape = input!.shape;
    return {
      value: forward.y,
      gradFunc: (dy, saved) => {
        const [w, b, conv, g, mean, rstd] = saved as [tf.Tensor4D, tf.Tensor, tf.Tensor4D, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
        const [dconv, dgamma, dbeta] = runFusedBatchNormGrad(dy as tf.Tensor, { x: conv, gamma: g, mean, rstd });
        const [dx, dw] = runFusedSignConv2dGrads(dconv, w, b, geometry, inputShape, residualIsInput ? (dy as tf.Tensor) : undefined);
        const grads = [dx, dw, dgamma, dbeta];
        return added === undefined ? grads : [...grads, tf.reshape(dy as tf.Tensor, added.shape)];
      },
    };
  });
  const separate = residual !== undefined && !residualIsInput;
  const y = (separate ? op(x, filter, gamma, beta, residual) : op(x, filter, gamma, beta)) as tf.Tensor4D;
  return { y, mean: stats!.mean, variance: stats!.variance };
}
