import * as tf from '../../util/tfjs.js';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/**
 * Tile for the wasm backend by block copies. The stock kernel computes every output element's
 * source index and takes ~40 ms to tile a [1, 1, 1, 32] vector to 64×28×28×32 — which is what
 * tf.batchNorm's gradient does for each normalized layer, so it dominated a training step.
 *
 * The output is built outward from the innermost axis: the block for one index of axis k is
 * written once (recursively), then repeated reps[k] − 1 times by doubling memcpy (copyWithin).
 */
export function tileWasm(args: { inputs: tf.NamedTensorInfoMap; backend: BackendWasm; attrs: { reps: number[] } }): tf.TensorInfo {
  const { backend, attrs } = args;
  const x = args.inputs['x'] as tf.TensorInfo;
  if (x.dtype === 'string') throw new Error('groupnas Tile: string tensors are not supported on wasm');
  const rank = x.shape.length;
  const reps = attrs.reps;
  if (reps.length !== rank) throw new Error(`groupnas Tile: reps has ${reps.length} entries for a rank-${rank} tensor`);
  const outShape = x.shape.map((size, i) => size * reps[i]!);
  const out = backend.makeOutput(outShape, x.dtype);
  if (outShape.some((size) => size === 0)) return out;
  const src = backend.typedArrayFromHeap(x);
  const dst = backend.typedArrayFromHeap(out); // both views taken after the last allocation

  // Element strides of x and of the output, per axis.
  const xStride = new Array<number>(rank).fill(1);
  const outStride = new Array<number>(rank).fill(1);
  for (let k = rank - 2; k >= 0; k--) {
    xStride[k] = xStride[k + 1]! * x.shape[k + 1]!;
    outStride[k] = outStride[k + 1]! * outShape[k + 1]!;
  }

  /** Fill dst[dstOffset …] with the output block spanned by axes k… for the x block at srcOffset. */
  const fill = (k: number, srcOffset: number, dstOffset: number): void => {
    const size = x.shape[k]!;
    if (k === rank - 1) {
      dst.set(src.subarray(srcOffset, srcOffset + size), dstOffset);
    } else {
      for (let i = 0; i < size; i++) fill(k + 1, srcOffset + i * xStride[k]!, dstOffset + i * outStride[k]!);
    }
    repeatBlock(dst, dstOffset, size * outStride[k]!, reps[k]!);
  };
  if (rank === 0) dst[0] = src[0]!;
  else fill(0, 0, 0);
  return out;
}

/** dst[offset + block·j …] = dst[offset …offset + block) for j < times, copying doubling runs. */
function repeatBlock(dst: tf.TypedArray, offset: number, block: number, times: number): void {
  let written = block;
  const total = block * times;
  while (written < total) {
    const chunk = Math.min(written, total - written);
    dst.copyWithin(offset + written, offset, offset + chunk);
    written += chunk;
  }
}

export const tileWasmConfig: tf.KernelConfig = {
  kernelName: 'Tile',
  backendName: 'wasm',
  kernelFunc: tileWasm as unknown as tf.KernelFunc,
};
