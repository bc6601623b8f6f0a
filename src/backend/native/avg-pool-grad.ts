import * as tf from '../../util/tfjs.js';
import { avgPoolGradOperands, avgPoolGradWasm, paddedWithinWindow, type AvgPoolGradArgs } from '../kernels/avg-pool-grad.js';
import { geometryOfInfo } from '../kernels/conv-geometry.js';
import { geometryArray } from './conv2d.js';
import { activeNativeTraining, heapF32, wasmHeap } from './native-training.js';

/**
 * AvgPoolGrad on the native kernels: the JavaScript kernel's values bit for bit (see
 * native/src/avg-pool.c), on the kernels' threads. Windows padded by a whole window or more
 * (never from 'same' or 'valid') stay with the JavaScript kernel.
 */
export function avgPoolGradNative(args: AvgPoolGradArgs): tf.TensorInfo {
  const { backend } = args;
  const native = activeNativeTraining(wasmHeap(backend));
  const { dy, input, info } = avgPoolGradOperands(args);
  if (native === undefined || !paddedWithinWindow(info)) return avgPoolGradWasm(args);
  const dx = backend.makeOutput(input.shape, 'float32');
  if (tf.util.sizeFromShape(input.shape) === 0) return dx;
  if (tf.util.sizeFromShape(dy.shape) === 0) {
    heapF32(backend, dx).fill(0);
    return dx;
  }
  const geometry = geometryArray(geometryOfInfo(info));
  native.addon.avgPoolGrad(geometry, heapF32(backend, dy), heapF32(backend, dx), native.threads);
  return dx;
}

export const avgPoolGradNativeConfig: tf.KernelConfig = {
  kernelName: 'AvgPoolGrad',
  backendName: 'wasm',
  kernelFunc: avgPoolGradNative as unknown as tf.KernelFunc,
};
