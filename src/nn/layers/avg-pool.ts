import * as tf from '../../util/tfjs.js';
import { AVG_POOL_TRAINING } from '../../util/kernel-names.js';

/**
 * tf.avgPool(x, window, stride, 'same'). In training, on a backend that registers the training
 * kernel (the native one: the pool's threads instead of XNNPACK's single one), that kernel with
 * AvgPool's own gradient; its averages may differ from XNNPACK's in the last bit (another summation
 * order), which is why inference keeps tf.avgPool.
 */
export function avgPool(x: tf.Tensor4D, window: number, stride: number, training: boolean): tf.Tensor4D {
  if (!training || tf.getKernel(AVG_POOL_TRAINING, tf.getBackend()) === undefined) return tf.avgPool(x, window, stride, 'same');
  const attrs = { filterSize: window, strides: stride, pad: 'same' };
  const op = tf.customGrad((input, save) => {
    (save as tf.GradSaveFunc)([input as tf.Tensor]);
    return {
      value: tf.engine().runKernel(AVG_POOL_TRAINING, { x: input as tf.Tensor }, attrs) as tf.Tensor4D,
      gradFunc: (dy, saved) => tf.engine().runKernel('AvgPoolGrad', { dy: dy as tf.Tensor, input: saved[0]! }, attrs) as tf.Tensor4D,
    };
  });
  return op(x) as tf.Tensor4D;
}
