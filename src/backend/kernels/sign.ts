import * as tf from '../../util/tfjs.js';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/**
 * Sign for the wasm backend with the cpu backend's (and TensorFlow's) exact semantics:
 * −1 below zero, +1 above, 0 at zero and for NaN. The stock wasm kernel returns 0 for every
 * |x| < 1.2e-7 (float epsilon), so a binary net's small pre-activations would binarize
 * differently on wasm than on cpu — and it is ~5× slower than this loop.
 */
export function signWasm(args: { inputs: tf.NamedTensorInfoMap; backend: BackendWasm }): tf.TensorInfo {
  const { backend } = args;
  const x = args.inputs['x'] as tf.TensorInfo;
  if (x.dtype !== 'float32' && x.dtype !== 'int32') throw new Error(`groupnas Sign: dtype ${x.dtype} is not supported on wasm`);
  const out = backend.makeOutput(x.shape, x.dtype);
  const dst = backend.typedArrayFromHeap(out);
  const src = backend.typedArrayFromHeap(x);
  // Branch-free: random signs would mispredict a conditional on every other element.
  for (let i = 0; i < src.length; i++) {
    const v = src[i]!;
    dst[i] = +(v > 0) - +(v < 0);
  }
  return out;
}

export const signWasmConfig: tf.KernelConfig = {
  kernelName: 'Sign',
  backendName: 'wasm',
  kernelFunc: signWasm as unknown as tf.KernelFunc,
};
