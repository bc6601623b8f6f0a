import * as tf from '../../util/tfjs.js';
import { MAGNITUDE_AWARE_SIGN, MAGNITUDE_AWARE_SIGN_GRAD } from '../../util/kernel-names.js';
import { heapF32, requireNativeTraining, type WasmKernelArgs } from './native-training.js';

/** [Wb, α] of a weight whose last axis is the output channel (see native/src/magnitude-aware-sign.c). */
export function magnitudeAwareSignNative({ inputs, backend }: WasmKernelArgs): tf.TensorInfo[] {
  const native = requireNativeTraining(MAGNITUDE_AWARE_SIGN, backend);
  const { w } = inputs as { w: tf.TensorInfo };
  const cout = w.shape[w.shape.length - 1] ?? 1;
  const wb = backend.makeOutput(w.shape, 'float32');
  const alpha = backend.makeOutput([cout], 'float32');
  if (tf.util.sizeFromShape(w.shape) > 0)
    native.addon.magnitudeAwareSign(heapF32(backend, w), cout, heapF32(backend, wb), heapF32(backend, alpha), native.threads);
  return [wb, alpha];
}

/** ∂W = (∂Wb · 1{|W| ≤ 1}) · α. */
export function magnitudeAwareSignGradNative({ inputs, backend }: WasmKernelArgs): tf.TensorInfo {
  const native = requireNativeTraining(MAGNITUDE_AWARE_SIGN_GRAD, backend);
  const { w, dy, alpha } = inputs as { w: tf.TensorInfo; dy: tf.TensorInfo; alpha: tf.TensorInfo };
  const cout = w.shape[w.shape.length - 1] ?? 1;
  const dw = backend.makeOutput(w.shape, 'float32');
  if (tf.util.sizeFromShape(w.shape) > 0) {
    native.addon.magnitudeAwareSignGrad(heapF32(backend, w), cout, heapF32(backend, dy), heapF32(backend, alpha), heapF32(backend, dw), native.threads);
  }
  return dw;
}

export const magnitudeAwareSignNativeConfig: tf.KernelConfig = {
  kernelName: MAGNITUDE_AWARE_SIGN,
  backendName: 'wasm',
  kernelFunc: magnitudeAwareSignNative as unknown as tf.KernelFunc,
};

export const magnitudeAwareSignGradNativeConfig: tf.KernelConfig = {
  kernelName: MAGNITUDE_AWARE_SIGN_GRAD,
  backendName: 'wasm',
  kernelFunc: magnitudeAwareSignGradNative as unknown as tf.KernelFunc,
};
