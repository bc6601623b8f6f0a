import * as tf from '../../util/tfjs.js';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/**
 * UnsortedSegmentSum for the wasm backend, which has none — and tf.gather's gradient needs it, so
 * without it nothing that gathers (channel or base selection, embeddings) can train on wasm.
 *
 *   out[segmentIds[i], …] += x[i, …]   (ids outside [0, numSegments) are dropped, as in TensorFlow)
 *
 * One pass over x, accumulating rows into the output.
 */
export function unsortedSegmentSumWasm(args: { inputs: tf.NamedTensorInfoMap; backend: BackendWasm; attrs: { numSegments: number } }): tf.TensorInfo {
  const { backend } = args;
  const x = args.inputs['x'] as tf.TensorInfo;
  const segmentIds = args.inputs['segmentIds'] as tf.TensorInfo;
  const { numSegments } = args.attrs;
  if (x.dtype !== 'float32' && x.dtype !== 'int32') throw new Error(`groupnas UnsortedSegmentSum: dtype ${x.dtype} is not supported on wasm`);
  const idRank = segmentIds.shape.length;
  const rowCount = segmentIds.shape.reduce((a, b) => a * b, 1);
  const rowShape = x.shape.slice(idRank);
  const rowSize = rowShape.reduce((a, b) => a * b, 1);
  const out = backend.makeOutput([numSegments, ...rowShape], x.dtype);
  const dst = backend.typedArrayFromHeap(out);
  const src = backend.typedArrayFromHeap(x);
  const ids = backend.typedArrayFromHeap(segmentIds);
  dst.fill(0);
  for (let i = 0; i < rowCount; i++) {
    const id = ids[i]!;
    if (id < 0 || id >= numSegments) continue;
    const from = i * rowSize;
    const to = id * rowSize;
    for (let j = 0; j < rowSize; j++) dst[to + j] += src[from + j]!;
  }
  return out;
}

export const unsortedSegmentSumWasmConfig: tf.KernelConfig = {
  kernelName: 'UnsortedSegmentSum',
  backendName: 'wasm',
  kernelFunc: unsortedSegmentSumWasm as unknown as tf.KernelFunc,
};
