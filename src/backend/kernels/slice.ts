import * as tf from '../../util/tfjs.js';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { runStockKernel } from './stock-kernels.js';

/**
 * Slice and SplitV for the wasm backend, copying straight out of the wasm heap. The stock Slice
 * first reads its whole input into a fresh JavaScript array (`readSync` copies) and then copies
 * the slice out of that; SplitV calls it once per piece, so splitting the K stacked base outputs of
 * a Group-Net boundary (K × 16 MB at R/2, batch 64) cost ~40 ms — 10× an elementwise multiply of the
 * same data, and ~10% of a training step.
 *
 * A slice is copied as runs of its innermost contiguous axes: one `set` of a subarray per run.
 */
export function sliceWasm(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: BackendWasm;
  attrs: { begin: number | number[]; size: number | number[] };
}): tf.TensorInfo {
  const { backend, attrs } = args;
  const x = args.inputs['x'] as tf.TensorInfo;
  if (x.dtype === 'string') return runStockKernel('Slice', args);
  const [begin, size] = tf.slice_util.parseSliceParams(x as tf.Tensor, attrs.begin, attrs.size);
  return copySlice(backend, x, begin, size);
}

export function splitVWasm(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: BackendWasm;
  attrs: { numOrSizeSplits: number | number[]; axis: number | number[] };
}): tf.TensorInfo[] {
  const { backend, attrs } = args;
  const x = args.inputs['x'] as tf.TensorInfo;
  if (x.dtype === 'string') return runStockKernel('SplitV', args) as unknown as tf.TensorInfo[];
  const axis = tf.util.parseAxisParam(attrs.axis, x.shape)[0]!;
  const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, attrs.numOrSizeSplits, axis);
  const begin = new Array<number>(x.shape.length).fill(0);
  return sizes.map((s) => {
    const size = [...x.shape];
    size[axis] = s;
    const piece = copySlice(backend, x, [...begin], size);
    begin[axis]! += s;
    return piece;
  });
}

function copySlice(backend: BackendWasm, x: tf.TensorInfo, begin: number[], size: number[]): tf.TensorInfo {
  const out = backend.makeOutput(size, x.dtype);
  const count = size.reduce((a, b) => a * b, 1);
  if (count === 0) return out;
  // Both views after the last allocation: makeOutput may grow (and so move) the heap.
  const src = backend.typedArrayFromHeap(x);
  const dst = backend.typedArrayFromHeap(out);
  const rank = x.shape.length;
  if (rank === 0) {
    dst[0] = src[0]!;
    return out;
  }
  const stride = tf.util.computeStrides(x.shape);
  stride.push(1);
  // The innermost axes the slice spans whole form one contiguous run, with the first partial axis.
  let inner = rank - 1;
  while (inner > 0 && size[inner] === x.shape[inner]) inner--;
  const run = size.slice(inner).reduce((a, b) => a * b, 1);
  const outer = size.slice(0, inner);
  const index = new Array<number>(inner).fill(0);
  for (let written = 0; written < count; written += run) {
    let offset = begin[inner]! * stride[inner]!;
    for (let k = 0; k < inner; k++) offset += (begin[k]! + index[k]!) * stride[k]!;
    dst.set(src.subarray(offset, offset + run), written);
    for (let k = inner - 1; k >= 0; k--) {
      if (++index[k]! < outer[k]!) break;
      index[k] = 0;
    }
  }
  return out;
}

export const sliceWasmConfig: tf.KernelConfig = {
  kernelName: 'Slice',
  backendName: 'wasm',
  kernelFunc: sliceWasm as unknown as tf.KernelFunc,
};

export const splitVWasmConfig: tf.KernelConfig = {
  kernelName: 'SplitV',
  backendName: 'wasm',
  kernelFunc: splitVWasm as unknown as tf.KernelFunc,
};
