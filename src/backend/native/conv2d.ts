import * as tf from '../../util/tfjs.js';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { convGeometry, markDilationAware, NCHW_TO_NHWC, NHWC_TO_NCHW, type ConvAttrs, type ConvGeometry } from '../kernels/conv-geometry.js';
import { conv2DBackpropFilterWasm, type Conv2DBackpropFilterKernelAttrs } from '../kernels/conv2d-backprop-filter.js';
import { conv2DBackpropInputWasm, type Conv2DBackpropInputKernelAttrs } from '../kernels/conv2d-backprop-input.js';
import { runStockKernel } from '../kernels/stock-kernels.js';
import { withWasmKernelScope } from '../kernels/wasm-kernel-scope.js';
import { activeNativeTraining, heapF32, wasmHeap, type WasmKernelArgs } from './native-training.js';

/** The addon's geometry array (native/src/addon-train.c): the forward convolution in NHWC terms. */
export function geometryArray(g: ConvGeometry): Int32Array {
  return Int32Array.of(
    g.batch,
    g.inHeight,
    g.inWidth,
    g.inChannels,
    g.filterHeight,
    g.filterWidth,
    g.strideHeight,
    g.strideWidth,
    g.dilationHeight,
    g.dilationWidth,
    g.padTop,
    g.padLeft,
    g.outHeight,
    g.outWidth,
    g.outChannels,
  );
}

const OP = { forward: 0, backpropInput: 1, backpropFilter: 2 } as const;

/** Which operand of a convolution an array is, for NCHW ↔ NHWC handling: activations move, filters don't. */
type Operand = 'activation' | 'filter';

/**
 * Run one of the addon's convolutions on tensors of the wasm heap, in place: the output is made
 * first (making it may grow the heap, which detaches older views), then every view is taken.
 * NCHW activations are transposed to NHWC around the call. Returns undefined when the native
 * kernels are not active.
 */
function runNative(
  op: (typeof OP)[keyof typeof OP],
  backend: BackendWasm,
  g: ConvGeometry,
  attrs: ConvAttrs,
  operands: [tf.TensorInfo, Operand][],
  out: Operand,
  outShape: number[],
): tf.TensorInfo | undefined {
  const native = activeNativeTraining(wasmHeap(backend));
  if (native === undefined) return undefined;
  const channelsFirst = attrs.dataFormat === 'NCHW';
  return withWasmKernelScope(backend, (scope) => {
    const nhwc = operands.map(([t, kind]) => (channelsFirst && kind === 'activation' ? scope.transpose(t, NCHW_TO_NHWC) : t));
    const shape = channelsFirst && out === 'activation' ? [outShape[0]!, outShape[2]!, outShape[3]!, outShape[1]!] : outShape;
    const result = scope.allocate(shape);
    if (shape.every((d) => d > 0)) {
      const view = (t: tf.TensorInfo): Float32Array => heapF32(backend, t);
      if (g.batch * g.outHeight * g.outWidth === 0) view(result).fill(0);
      else native.addon.conv2d(op, native.pathId, geometryArray(g), view(nhwc[0]!), view(nhwc[1]!), view(result), native.threads);
    }
    return channelsFirst && out === 'activation' ? scope.transpose(result, NHWC_TO_NCHW) : result;
  });
}

/** The forward output's shape in the attributes' data format. */
function outputShape(g: ConvGeometry, attrs: ConvAttrs): number[] {
  return attrs.dataFormat === 'NCHW' ? [g.batch, g.outChannels, g.outHeight, g.outWidth] : [g.batch, g.outHeight, g.outWidth, g.outChannels];
}

/** Conv2D (forward): y = x ⊛ filter, HWIO filter. */
export function conv2DNative(args: WasmKernelArgs<ConvAttrs>): tf.TensorInfo {
  const { x, filter } = args.inputs as { x: tf.TensorInfo; filter: tf.TensorInfo };
  const g = convGeometry(x.shape, filter.shape as [number, number, number, number], args.attrs);
  return (
    runNative(
      OP.forward,
      args.backend,
      g,
      args.attrs,
      [
        [x, 'activation'],
        [filter, 'filter'],
      ],
      'activation',
      outputShape(g, args.attrs),
    ) ?? runStockKernel('Conv2D', args)
  );
}

/** Conv2DBackpropInput: dx of the forward convolution (dilations honoured, as our gradient passes them). */
export function conv2DBackpropInputNative(args: WasmKernelArgs<Conv2DBackpropInputKernelAttrs>): tf.TensorInfo {
  const { dy, filter } = args.inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const g = convGeometry(args.attrs.inputShape, filter.shape as [number, number, number, number], args.attrs);
  const operands: [tf.TensorInfo, Operand][] = [
    [dy, 'activation'],
    [filter, 'filter'],
  ];
  return runNative(OP.backpropInput, args.backend, g, args.attrs, operands, 'activation', [...args.attrs.inputShape]) ?? conv2DBackpropInputWasm(args);
}

/** Conv2DBackpropFilter: dFilter of the forward convolution. */
export function conv2DBackpropFilterNative(args: WasmKernelArgs<Conv2DBackpropFilterKernelAttrs>): tf.TensorInfo {
  const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const g = convGeometry(x.shape, args.attrs.filterShape, args.attrs);
  const operands: [tf.TensorInfo, Operand][] = [
    [x, 'activation'],
    [dy, 'activation'],
  ];
  return runNative(OP.backpropFilter, args.backend, g, args.attrs, operands, 'filter', [...args.attrs.filterShape]) ?? conv2DBackpropFilterWasm(args);
}

export const conv2DNativeConfig: tf.KernelConfig = {
  kernelName: 'Conv2D',
  backendName: 'wasm',
  kernelFunc: conv2DNative as unknown as tf.KernelFunc,
};
export const conv2DBackpropInputNativeConfig: tf.KernelConfig = markDilationAware({
  kernelName: 'Conv2DBackpropInput',
  backendName: 'wasm',
  kernelFunc: conv2DBackpropInputNative as unknown as tf.KernelFunc,
});
export const conv2DBackpropFilterNativeConfig: tf.KernelConfig = markDilationAware({
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilterNative as unknown as tf.KernelFunc,
});
