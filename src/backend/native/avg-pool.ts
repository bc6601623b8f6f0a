import * as tf from '../../util/tfjs.js';
import { AVG_POOL_TRAINING } from '../../util/kernel-names.js';
import { paddedWithinWindow, poolWindows, type AvgPoolGradArgs } from '../kernels/avg-pool-grad.js';
import { geometryOfInfo } from '../kernels/conv-geometry.js';
import { geometryArray } from './conv2d.js';
import { heapF32, requireNativeTraining, type WasmKernelArgs } from './native-training.js';

/** Average pooling in training on the kernels' threads (see AVG_POOL_TRAINING and native/src/avg-pool.c). */
export function avgPoolTrainingNative({ inputs, backend, attrs }: WasmKernelArgs<AvgPoolGradArgs['attrs']>): tf.TensorInfo {
  const native = requireNativeTraining(AVG_POOL_TRAINING, backend);
  const { x } = inputs as { x: tf.TensorInfo };
  const info = poolWindows(x.shape, attrs);
  if (!paddedWithinWindow(info)) {
    const { top, left } = info.padInfo;
    throw new Error(`groupnas: ${AVG_POOL_TRAINING}: padding ${top}, ${left} is not within the ${info.filterHeight}×${info.filterWidth} window`);
  }
  const y = backend.makeOutput(info.outShape, 'float32');
  if (tf.util.sizeFromShape(info.outShape) > 0)
    native.addon.avgPool(geometryArray(geometryOfInfo(info)), heapF32(backend, x), heapF32(backend, y), native.threads);
  return y;
}

export const avgPoolTrainingNativeConfig: tf.KernelConfig = {
  kernelName: AVG_POOL_TRAINING,
  backendName: 'wasm',
  kernelFunc: avgPoolTrainingNative as unknown as tf.KernelFunc,
};
