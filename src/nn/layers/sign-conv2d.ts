import * as tf from '../../util/tfjs.js';
import { SIGN_CONV2D, SIGN_CONV2D_BACKPROP_FILTER, SIGN_CONV2D_BACKPROP_INPUT } from '../../util/kernel-names.js';
import { steSign } from '../quantizers/ste-sign.js';

/**
 * The convolution of a binary unit with 1-bit activations: conv2d(steSign(x), filter), NHWC.
 *
 * Forward:  y = sign(x) ⊛ W                                  (sign(0) = +1)
 * Backward: ∂x = 1{|x| ≤ 1} ⊙ (∂y ⊛ᵀ W),   ∂W = sign(x)ᵀ ⋆ ∂y   (the clipped STE of `steSign`)
 *
 * On a backend that registers the fused kernels (`GroupnasSignConv2D` and its two gradients: the
 * native ones) each direction is one call, the forward runs on packed bits when W is α·sign form,
 * and the tape keeps 2 bits per element of x instead of x and sign(x). Elsewhere it is exactly the
 * two ops it stands for.
 */
export function signConv2d(x: tf.Tensor4D, filter: tf.Tensor4D, stride: number, pad: number, dilation: number): tf.Tensor4D {
  if (tf.getKernel(SIGN_CONV2D, tf.getBackend()) === undefined) return tf.conv2d(steSign(x), filter, stride, pad, 'NHWC', dilation);
  const attrs = { strides: [stride, stride], pad, dilations: [dilation, dilation], dataFormat: 'NHWC' };
  const op = tf.customGrad((input, weights, save) => {
    const [y, bits] = tf.engine().runKernel(SIGN_CONV2D, { x: input as tf.Tensor, filter: weights as tf.Tensor }, attrs) as tf.Tensor[];
    (save as tf.GradSaveFunc)([weights as tf.Tensor, bits!]);
    const inputShape = (input as tf.Tensor).shape;
    return {
      value: y as tf.Tensor4D,
      gradFunc: (dy, saved) => {
        const [w, b] = saved as [tf.Tensor4D, tf.Tensor];
        const shapes = { ...attrs, inputShape, filterShape: w.shape };
        return [
          tf.engine().runKernel(SIGN_CONV2D_BACKPROP_INPUT, { dy: dy as tf.Tensor, filter: w, bits: b }, shapes) as tf.Tensor,
          tf.engine().runKernel(SIGN_CONV2D_BACKPROP_FILTER, { dy: dy as tf.Tensor, bits: b }, shapes) as tf.Tensor,
        ];
      },
    };
  });
  return op(x, filter) as tf.Tensor4D;
}
