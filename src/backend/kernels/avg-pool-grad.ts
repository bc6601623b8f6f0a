import * as tf from '../../util/tfjs.js';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

type PoolPadding = 'valid' | 'same' | number | [[number, number], [number, number], [number, number], [number, number]];

export interface AvgPoolGradArgs {
  inputs: tf.NamedTensorInfoMap;
  backend: BackendWasm;
  attrs: { filterSize: number | [number, number]; strides: number | [number, number]; pad: PoolPadding; dimRoundingMode?: 'floor' | 'round' | 'ceil' };
}

/** The pooling windows over an NHWC input of `shape` that AvgPool's attributes describe. */
export function poolWindows(shape: readonly number[], attrs: AvgPoolGradArgs['attrs']): ReturnType<typeof tf.backend_util.computePool2DInfo> {
  const nhwc = shape as [number, number, number, number];
  return tf.backend_util.computePool2DInfo(nhwc, attrs.filterSize, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
}

/**
 * Whether every window's padding is less than the window (always so for 'same' and 'valid'), as the
 * native pooling kernels take them (native/src/avg-pool.c).
 */
export function paddedWithinWindow(info: ReturnType<typeof tf.backend_util.computePool2DInfo>): boolean {
  const { top, left } = info.padInfo;
  return top >= 0 && top < info.filterHeight && left >= 0 && left < info.filterWidth;
}

/** dy, the forward's input and the pooling windows of an AvgPoolGrad call. */
export function avgPoolGradOperands({ inputs, attrs }: AvgPoolGradArgs): {
  dy: tf.TensorInfo;
  input: tf.TensorInfo;
  info: ReturnType<typeof tf.backend_util.computePool2DInfo>;
} {
  const input = inputs['input'] as tf.TensorInfo;
  return { dy: inputs['dy'] as tf.TensorInfo, input, info: poolWindows(input.shape, attrs) };
}

/**
 * AvgPoolGrad for the wasm backend: each output's gradient spread evenly over the input pixels of
 * its window, with channels contiguous — ~4× faster than the stock kernel on the down-sampling
 * shortcut of network R.
 *
 * It is also the true gradient of tf.avgPool at padded borders. The forward (cpu and wasm alike)
 * averages over the window's *valid* pixels, but tfjs' stock gradient kernels divide by the full
 * window size, so with 'same' padding they are wrong where a window overlaps the padding
 * (where no window does, the two agree).
 */
export function avgPoolGradWasm(args: AvgPoolGradArgs): tf.TensorInfo {
  const { backend } = args;
  const { dy, input, info } = avgPoolGradOperands(args);
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth, strideHeight, strideWidth, filterHeight, filterWidth } = info;
  const dx = backend.makeOutput(input.shape, 'float32');
  const out = backend.typedArrayFromHeap(dx) as Float32Array;
  const grad = backend.typedArrayFromHeap(dy) as Float32Array;
  out.fill(0);
  for (let n = 0; n < batchSize; n++) {
    for (let oh = 0; oh < outHeight; oh++) {
      const top = oh * strideHeight - info.padInfo.top;
      const h0 = Math.max(0, top);
      const h1 = Math.min(inHeight, top + filterHeight);
      for (let ow = 0; ow < outWidth; ow++) {
        const left = ow * strideWidth - info.padInfo.left;
        const w0 = Math.max(0, left);
        const w1 = Math.min(inWidth, left + filterWidth);
        const count = (h1 - h0) * (w1 - w0);
        if (count <= 0) continue;
        const scale = 1 / count;
        const src = ((n * outHeight + oh) * outWidth + ow) * channels;
        for (let h = h0; h < h1; h++) {
          for (let w = w0; w < w1; w++) {
            const dst = ((n * inHeight + h) * inWidth + w) * channels;
            for (let c = 0; c < channels; c++) out[dst + c] += grad[src + c]! * scale;
          }
        }
      }
    }
  }
  return dx;
}

export const avgPoolGradWasmConfig: tf.KernelConfig = {
  kernelName: 'AvgPoolGrad',
  backendName: 'wasm',
  kernelFunc: avgPoolGradWasm as unknown as tf.KernelFunc,
};
