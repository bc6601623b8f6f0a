import * as tf from '../../util/tfjs.js';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { runStockKernel } from './stock-kernels.js';

/**
 * Identity for the wasm backend that shares its input's buffer (reference counted, as Reshape
 * does), where the stock kernel copies it. tfjs clones every tensor a gradient saves, so with the
 * stock kernel each saved activation is held twice until the backward pass ends: a Group-Net step
 * with K = 5 bases at R/2, batch 64, kept ~1.6 GB more on the heap and spent ~3% of its time copying.
 * Sharing is safe because no kernel writes into its inputs (tensors are immutable; a variable's
 * assign swaps in a new buffer).
 */
export function identityWasm(args: { inputs: tf.NamedTensorInfoMap; backend: BackendWasm }): tf.TensorInfo {
  const x = args.inputs['x'] as tf.TensorInfo;
  if (x.dtype === 'string') return runStockKernel('Identity', args);
  args.backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

export const identityWasmConfig: tf.KernelConfig = {
  kernelName: 'Identity',
  backendName: 'wasm',
  kernelFunc: identityWasm as unknown as tf.KernelFunc,
};
