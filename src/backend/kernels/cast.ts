import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { runStockKernel, stockSetup } from './stock-kernels.js';

/**
 * Cast between float32, int32 and bool on the wasm backend. The stock kernel copies with
 * TypedArray.set across element types, which is ~10× slower than a loop (bool masks are cast to
 * float32 in every straight-through gradient) and, for float32 → bool, keeps the low byte
 * (256 → false) where cpu and TensorFlow test x ≠ 0.
 */
export function castWasm(args: { inputs: tf.NamedTensorInfoMap; backend: BackendWasm; attrs: { dtype: tf.DataType } }): tf.TensorInfo {
  const { backend } = args;
  const x = args.inputs['x'] as tf.TensorInfo;
  const { dtype } = args.attrs;
  const numeric = (d: tf.DataType): boolean => d === 'float32' || d === 'int32' || d === 'bool';
  if (!numeric(x.dtype) || !numeric(dtype)) return runStockKernel('Cast', args);
  const out = backend.makeOutput(x.shape, dtype);
  const src = backend.typedArrayFromHeap(x);
  const dst = backend.typedArrayFromHeap(out);
  if (x.dtype === dtype) {
    dst.set(src);
  } else if (dtype === 'bool') {
    for (let i = 0; i < src.length; i++) dst[i] = +(src[i] !== 0);
  } else if (x.dtype === 'bool') {
    const bits = src as Uint8Array;
    for (let i = 0; i < bits.length; i++) dst[i] = bits[i]!;
  } else if (dtype === 'int32') {
    const from = src as Float32Array;
    const to = dst as Int32Array;
    for (let i = 0; i < from.length; i++) to[i] = from[i]!; // truncation toward zero, as cpu
  } else {
    const from = src as Int32Array;
    const to = dst as Float32Array;
    for (let i = 0; i < from.length; i++) to[i] = from[i]!;
  }
  return out;
}

export const castWasmConfig: tf.KernelConfig = {
  kernelName: 'Cast',
  backendName: 'wasm',
  kernelFunc: castWasm as unknown as tf.KernelFunc,
  setupFunc: stockSetup('Cast'),
};
