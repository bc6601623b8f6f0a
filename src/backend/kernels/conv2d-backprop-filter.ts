import * as tf from '../../util/tfjs.js';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { axisWindow, convGeometry, markDilationAware, type ConvAttrs } from './conv-geometry.js';
import { withWasmKernelScope } from './wasm-kernel-scope.js';

export interface Conv2DBackpropFilterKernelAttrs extends ConvAttrs {
  filterShape: [number, number, number, number];
}

/**
 * dW for a 2-D convolution on the wasm backend (tfjs-backend-wasm has no such kernel), computed
 * as one forward convolution that XNNPACK runs fast:
 *
 *   dW[kh, kw, ci, co] = Σ_{n, oh, ow} x[n, oh·s − pad + kh·d, …, ci] · dy[n, oh, ow, co]
 *
 * is a convolution whose "batch" is ci, whose input channels are n, whose filter is dy laid out
 * as [oh, ow, n, co], with the forward stride and dilation swapping roles (stride d, dilation s),
 * and whose output spatial size is exactly the filter's [kh, kw].
 */
export function conv2DBackpropFilterWasm(args: { inputs: tf.NamedTensorInfoMap; backend: BackendWasm; attrs: Conv2DBackpropFilterKernelAttrs }): tf.TensorInfo {
  const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const { attrs } = args;
  const channelsFirst = attrs.dataFormat === 'NCHW';
  const g = convGeometry(x.shape, attrs.filterShape, attrs);
  if ((g.strideHeight > 1 && g.dilationHeight > 1) || (g.strideWidth > 1 && g.dilationWidth > 1)) {
    throw new Error('groupnas Conv2DBackpropFilter: stride and dilation cannot both exceed 1 on one axis');
  }

  return withWasmKernelScope(args.backend, (scope) => {
    // x → [ci, h, w, n]; dy → [oh, ow, n, co]: batch and channel axes swap roles.
    const xT = scope.transpose(x, channelsFirst ? [1, 2, 3, 0] : [3, 1, 2, 0]);
    const dyT = scope.transpose(dy, channelsFirst ? [2, 3, 0, 1] : [1, 2, 0, 3]);

    // Output rows must be exactly kh: the bottom border is whatever makes that so (negative = unused input rows).
    const rows = axisWindow(g.padTop, (g.filterHeight - 1) * g.dilationHeight + (g.outHeight - 1) * g.strideHeight + 1 - g.inHeight - g.padTop);
    const cols = axisWindow(g.padLeft, (g.filterWidth - 1) * g.dilationWidth + (g.outWidth - 1) * g.strideWidth + 1 - g.inWidth - g.padLeft);
    const input = scope.cropSpatial(xT, rows.cropBefore, rows.cropAfter, cols.cropBefore, cols.cropAfter);
    const dwT = scope.run(
      'Conv2D',
      { x: input, filter: dyT },
      {
        strides: [g.dilationHeight, g.dilationWidth],
        dilations: [g.strideHeight, g.strideWidth],
        pad: [
          [0, 0],
          [rows.padBefore, rows.padAfter],
          [cols.padBefore, cols.padAfter],
          [0, 0],
        ],
        dataFormat: 'NHWC',
      },
    );
    // [ci, kh, kw, co] → [kh, kw, ci, co]
    return scope.transpose(dwT, [1, 2, 0, 3]);
  });
}

export const conv2DBackpropFilterWasmConfig: tf.KernelConfig = markDilationAware({
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilterWasm as unknown as tf.KernelFunc,
});
