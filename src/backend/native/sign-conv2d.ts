import * as tf from '../../util/tfjs.js';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { SIGN_CONV2D, SIGN_CONV2D_BACKPROP_FILTER, SIGN_CONV2D_BACKPROP_INPUT } from '../../util/kernel-names.js';
import { convGeometry, type ConvAttrs } from '../kernels/conv-geometry.js';
import { geometryArray } from './conv2d.js';
import { heapF32 as f32, heapI32 as i32, requireNativeTraining, type NativeTraining, type WasmKernelArgs } from './native-training.js';
type SignConvAttrs = ConvAttrs & { inputShape?: [number, number, number, number]; filterShape?: [number, number, number, number] };

/** Words of packed bits of an NHWC tensor: signs then STE masks, ⌈c/32⌉ words a pixel each. */
function signBitsLength(shape: readonly number[]): number {
  const [n, h, w, c] = shape as [number, number, number, number];
  return 2 * n * h * w * Math.ceil(c / 32);
}

function requireNative(kernel: string, attrs: ConvAttrs, backend: BackendWasm): NativeTraining {
  if (attrs.dataFormat === 'NCHW') throw new Error(`groupnas: ${kernel} takes NHWC only`);
  return requireNativeTraining(kernel, backend);
}

/** Forward: [y, bits] (see SIGN_CONV2D). Outputs are made before views are taken (making may grow the heap). */
export function signConv2DNative({ inputs, backend, attrs }: WasmKernelArgs<SignConvAttrs>): tf.TensorInfo[] {
  const native = requireNative(SIGN_CONV2D, attrs, backend);
  const { x, filter } = inputs as { x: tf.TensorInfo; filter: tf.TensorInfo };
  const g = convGeometry(x.shape, filter.shape as [number, number, number, number], attrs);
  const y = backend.makeOutput([g.batch, g.outHeight, g.outWidth, g.outChannels], 'float32');
  const bits = backend.makeOutput([signBitsLength(x.shape)], 'int32');
  if (tf.util.sizeFromShape(y.shape) > 0 && tf.util.sizeFromShape(x.shape) > 0) {
    native.addon.signConv2d(
      0,
      native.pathId,
      native.binaryPathId,
      geometryArray(g),
      f32(backend, x),
      f32(backend, filter),
      f32(backend, y),
      native.threads,
      i32(backend, bits),
      null,
    );
  }
  return [y, bits];
}

/** dx = 1{|x| ≤ 1} ⊙ (dy ⊛ᵀ filter) (+ addend). */
export function signConv2DBackpropInputNative({ inputs, backend, attrs }: WasmKernelArgs<SignConvAttrs>): tf.TensorInfo {
  const native = requireNative(SIGN_CONV2D_BACKPROP_INPUT, attrs, backend);
  const { dy, filter, bits, addend } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo; bits: tf.TensorInfo; addend?: tf.TensorInfo };
  const inputShape = attrs.inputShape!;
  const g = convGeometry(inputShape, filter.shape as [number, number, number, number], attrs);
  const dx = backend.makeOutput([...inputShape], 'float32');
  if (tf.util.sizeFromShape(dx.shape) > 0) {
    if (tf.util.sizeFromShape(dy.shape) === 0) {
      if (addend === undefined) f32(backend, dx).fill(0);
      else f32(backend, dx).set(f32(backend, addend));
    } else
      native.addon.signConv2d(
        1,
        native.pathId,
        -1,
        geometryArray(g),
        f32(backend, dy),
        f32(backend, filter),
        f32(backend, dx),
        native.threads,
        i32(backend, bits),
        addend === undefined ? null : f32(backend, addend),
      );
  }
  return dx;
}

/** dFilter = Σ sign(x)ᵀ·dy. */
export function signConv2DBackpropFilterNative({ inputs, backend, attrs }: WasmKernelArgs<SignConvAttrs>): tf.TensorInfo {
  const native = requireNative(SIGN_CONV2D_BACKPROP_FILTER, attrs, backend);
  const { dy, bits } = inputs as { dy: tf.TensorInfo; bits: tf.TensorInfo };
  const g = convGeometry(attrs.inputShape!, attrs.filterShape!, attrs);
  const df = backend.makeOutput([...attrs.filterShape!], 'float32');
  if (tf.util.sizeFromShape(df.shape) > 0) {
    if (tf.util.sizeFromShape(dy.shape) === 0 || tf.util.sizeFromShape(attrs.inputShape!) === 0) f32(backend, df).fill(0);
    else native.addon.signConv2d(2, native.pathId, -1, geometryArray(g), f32(backend, dy), null, f32(backend, df), native.threads, i32(backend, bits), null);
  }
  return df;
}

export const signConv2DNativeConfig: tf.KernelConfig = {
  kernelName: SIGN_CONV2D,
  backendName: 'wasm',
  kernelFunc: signConv2DNative as unknown as tf.KernelFunc,
};
export const signConv2DBackpropInputNativeConfig: tf.KernelConfig = {
  kernelName: SIGN_CONV2D_BACKPROP_INPUT,
  backendName: 'wasm',
  kernelFunc: signConv2DBackpropInputNative as unknown as tf.KernelFunc,
};
export const signConv2DBackpropFilterNativeConfig: tf.KernelConfig = {
  kernelName: SIGN_CONV2D_BACKPROP_FILTER,
  backendName: 'wasm',
  kernelFunc: signConv2DBackpropFilterNative as unknown as tf.KernelFunc,
};
