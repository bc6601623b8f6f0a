import * as tf from '../../util/tfjs.js';
import { replacementKernel, runStockKernel } from '../kernels/stock-kernels.js';
import { activeNativeTraining, heapF32, NATIVE_ELEMENTWISE_MIN_ELEMENTS, wasmHeap, type WasmKernelArgs } from './native-training.js';

/** The weights of out = 1·a + 1·b for the mixing kernel (both products exact, so the sum is a + b rounded once). */
const SUM_OF_TWO = Float32Array.of(1, 1);

/**
 * Add of two float32 tensors of one shape on the native kernels' threads: the residual adds of every
 * block and the gradient accumulations autograd makes where a tensor feeds two ops (~270 calls in a
 * Group-Net R step, whose stock XNNPACK add runs on one thread). Bit for bit the stock result (IEEE
 * addition, element by element); broadcasting, other dtypes and small tensors stay with the stock kernel.
 */
export function addNative(args: WasmKernelArgs): tf.TensorInfo {
  const { inputs, backend } = args;
  const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
  const native = activeNativeTraining(wasmHeap(backend));
  const size = tf.util.sizeFromShape(a.shape);
  if (
    native === undefined ||
    a.dtype !== 'float32' ||
    b.dtype !== 'float32' ||
    size < NATIVE_ELEMENTWISE_MIN_ELEMENTS ||
    !tf.util.arraysEqual(a.shape, b.shape)
  ) {
    return runStockKernel('Add', args);
  }
  const out = backend.makeOutput(a.shape, 'float32');
  native.addon.mixForward(SUM_OF_TWO, [heapF32(backend, a), heapF32(backend, b)], [heapF32(backend, out)], native.threads);
  return out;
}

export const addNativeConfig = replacementKernel('Add', addNative);
