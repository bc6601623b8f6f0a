import * as tf from '../../util/tfjs.js';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { replacementKernel, runStockKernel } from './stock-kernels.js';

/**
 * Cast on the wasm backend with cpu's (and TensorFlow's) semantics for float32/int32 → bool:
 * x ≠ 0. The stock kernel copies with TypedArray.set, which for a bool target keeps the low byte
 * (0.5 → false, 256 → false, NaN → false). Other numeric casts keep that fast copy: there
 * TypedArray.set converts as cpu does (int32 targets truncate toward zero).
 */
export function castWasm(args: { inputs: tf.NamedTensorInfoMap; backend: BackendWasm; attrs: { dtype: tf.DataType } }): tf.TensorInfo {
  const { backend } = args;
  const x = args.inputs['x'] as tf.TensorInfo;
  const { dtype } = args.attrs;
  if (dtype !== 'bool' || (x.dtype !== 'float32' && x.dtype !== 'int32')) return runStockKernel('Cast', args);
  const out = backend.makeOutput(x.shape, 'bool');
  const src = backend.typedArrayFromHeap(x);
  const dst = backend.typedArrayFromHeap(out);
  for (let i = 0; i < src.length; i++) dst[i] = +(src[i] !== 0);
  return out;
}

export const castWasmConfig = replacementKernel('Cast', castWasm);
