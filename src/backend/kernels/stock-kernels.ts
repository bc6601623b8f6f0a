import * as tf from '../../util/tfjs.js';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/**
 * The tfjs-backend-wasm kernels ours replaced, kept so a replacement can hand the cases it does
 * not speed up (e.g. general broadcasting) back to the original.
 */
const stock = new Map<string, tf.KernelConfig>();

/** Remember `config` as the stock kernel for its name (first one wins: never one of ours). */
export function rememberStockKernel(config: tf.KernelConfig): void {
  if (!stock.has(config.kernelName)) stock.set(config.kernelName, config);
}

/** Run the stock wasm kernel `kernelName`. */
export function runStockKernel(kernelName: string, args: { inputs: tf.NamedTensorInfoMap; backend: BackendWasm; attrs?: object }): tf.TensorInfo {
  const config = stock.get(kernelName);
  if (config === undefined) throw new Error(`groupnas: no stock wasm kernel '${kernelName}' was recorded`);
  return config.kernelFunc({ inputs: args.inputs, backend: args.backend, attrs: (args.attrs ?? {}) as tf.NamedAttrMap }) as tf.TensorInfo;
}

/**
 * A setupFunc for a replacement kernel: the stock kernel binds its wasm functions in its own
 * setupFunc, which tfjs runs only for kernels registered when the backend initializes.
 */
export function stockSetup(kernelName: string): (backend: object) => void {
  return (backend) => {
    stock.get(kernelName)?.setupFunc?.(backend);
  };
}

/** The wasm kernel config of a replacement for the stock kernel `kernelName`, with its setup. */
export function replacementKernel(kernelName: string, kernelFunc: (args: never) => tf.TensorInfo): tf.KernelConfig {
  return { kernelName, backendName: 'wasm', kernelFunc: kernelFunc as unknown as tf.KernelFunc, setupFunc: stockSetup(kernelName) };
}

/** The stock wasm kernel `kernelName` that one of ours replaced, if tfjs-backend-wasm has one. */
export function stockKernel(kernelName: string): tf.KernelConfig | undefined {
  return stock.get(kernelName);
}
