import * as tf from '../../util/tfjs.js';
import { SIGN_CONV2D, SIGN_CONV2D_BACKPROP_FILTER, SIGN_CONV2D_BACKPROP_INPUT } from '../../util/kernel-names.js';
import { steSign } from '../quantizers/ste-sign.js';

/** Stride, symmetric padding and dilation of a square convolution. */
export interface SignConvGeometry {
  stride: number;
  pad: number;
  dilation: number;
}

/** Whether the backend runs the sign conv as fused kernels (the native ones). */
export function hasFusedSignConv2d(): boolean {
  return tf.getKernel(SIGN_CONV2D, tf.getBackend()) !== undefined;
}

function kernelAttrs({ stride, pad, dilation }: SignConvGeometry) {
  return { strides: [stride, stride], pad, dilations: [dilation, dilation], dataFormat: 'NHWC' };
}

/** The fused forward kernel: [y, bits] (bits: sign(x) and the STE mask, all its gradients need of x). */
export function runFusedSignConv2d(x: tf.Tensor, filter: tf.Tensor, geometry: SignConvGeometry): [tf.Tensor4D, tf.Tensor] {
  return tf.engine().runKernel(SIGN_CONV2D, { x, filter }, kernelAttrs(geometry)) as [tf.Tensor4D, tf.Tensor];
}

/**
 * The fused gradient kernels: [∂x, ∂W]. `addend` (x's shape) is added to ∂x inside its kernel: the
 * gradient x gets from a second use (a residual), which autograd would otherwise add in a pass of its own.
 */
export function runFusedSignConv2dGrads(
  dy: tf.Tensor,
  filter: tf.Tensor,
  bits: tf.Tensor,
  geometry: SignConvGeometry,
  inputShape: number[],
  addend?: tf.Tensor,
): [tf.Tensor4D, tf.Tensor4D] {
  const shapes = { ...kernelAttrs(geometry), inputShape, filterShape: filter.shape };
  const inputs: tf.NamedTensorMap = { dy, filter, bits };
  if (addend !== undefined) inputs['addend'] = addend;
  return [
    tf.engine().runKernel(SIGN_CONV2D_BACKPROP_INPUT, inputs, shapes) as tf.Tensor4D,
    tf.engine().runKernel(SIGN_CONV2D_BACKPROP_FILTER, { dy, bits }, shapes) as tf.Tensor4D,
  ];
}

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
  if (!hasFusedSignConv2d()) return tf.conv2d(steSign(x), filter, stride, pad, 'NHWC', dilation);
  const geometry = { stride, pad, dilation };
  const op = tf.customGrad((input, weights, save) => {
    const [y, bits] = runFusedSignConv2d(input as tf.Tensor, weights as tf.Tensor, geometry);
    (save as tf.GradSaveFunc)([weights as tf.Tensor, bits]);
    const inputShape = (input as tf.Tensor).shape;
    return {
      value: y,
      gradFunc: (dy, saved) => {
        const [w, b] = saved as [tf.Tensor4D, tf.Tensor];
        return runFusedSignConv2dGrads(dy as tf.Tensor, w, b, geometry, inputShape);
      },
    };
  });
  return op(x, filter) as tf.Tensor4D;
}
