import * as tf from '../../util/tfjs.js';
import { RELU_GRAD } from '../../util/kernel-names.js';
import { replacementKernel, runStockKernel } from '../kernels/stock-kernels.js';
import { activeNativeTraining, heapF32, NATIVE_ELEMENTWISE_MIN_ELEMENTS, requireNativeTraining, wasmHeap, type WasmKernelArgs } from './native-training.js';

/**
 * Relu on the native kernels' threads, tfjs-wasm's values (see native/src/relu.c): each thread writes
 * the part of the output the next kernel's same thread reads. Other dtypes and small tensors stay
 * with the stock kernel.
 */
export function reluNative(args: WasmKernelArgs): tf.TensorInfo {
  const { inputs, backend } = args;
  const { x } = inputs as { x: tf.TensorInfo };
  const native = activeNativeTraining(wasmHeap(backend));
  if (native === undefined || x.dtype !== 'float32' || tf.util.sizeFromShape(x.shape) < NATIVE_ELEMENTWISE_MIN_ELEMENTS) return runStockKernel('Relu', args);
  const y = backend.makeOutput(x.shape, 'float32');
  native.addon.relu(heapF32(backend, x), heapF32(backend, y), native.threads);
  return y;
}

export const reluNativeConfig = replacementKernel('Relu', reluNative);

/** dx = dy · step(x) in one pass on the kernels' threads (see native/src/relu.c). */
export function reluGradNative({ inputs, backend }: WasmKernelArgs): tf.TensorInfo {
  const native = requireNativeTraining(RELU_GRAD, backend);
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const dx = backend.makeOutput(x.shape, 'float32');
  if (tf.util.sizeFromShape(x.shape) > 0) native.addon.reluGrad(heapF32(backend, x), heapF32(backend, dy), heapF32(backend, dx), native.threads);
  return dx;
}

export const reluGradNativeConfig: tf.KernelConfig = { kernelName: RELU_GRAD, backendName: 'wasm', kernelFunc: reluGradNative as unknown as tf.KernelFunc };

/**
 * ReLU's gradient for every backend: one RELU_GRAD call where the backend has that kernel, else
 * tfjs' own dy · cast(step(x)) (the same values: the native kernel is that arithmetic, fused).
 */
export const reluGradientConfig: tf.GradConfig = {
  kernelName: 'Relu',
  inputsToSave: ['x'],
  gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
    const [x] = saved as [tf.Tensor];
    const grad = dy as tf.Tensor;
    if (x.dtype === 'float32' && grad.dtype === 'float32' && tf.getKernel(RELU_GRAD, tf.getBackend()) !== undefined) {
      return { x: () => tf.engine().runKernel(RELU_GRAD, { x, dy: grad }) as tf.Tensor };
    }
    return { x: () => tf.mul(grad, tf.cast(tf.step(x), 'float32')) };
  },
};
