import * as tf from '../../util/tfjs.js';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/**
 * Runs other wasm kernels from inside a kernel and frees their intermediate outputs.
 *
 * Kernels compose at the backend level (TensorInfo in, TensorInfo out), as tfjs' own kernels
 * do: no engine tensors are created, so nothing lands on the gradient tape or in
 * tf.memory(). Every output made here is an intermediate unless `keep` hands it to the caller.
 */
export class WasmKernelScope {
  private readonly intermediates: tf.TensorInfo[] = [];

  constructor(readonly backend: BackendWasm) {}

  /** Run the wasm kernel `kernelName` (ours or stock) and track its output for disposal. */
  run(kernelName: string, inputs: tf.NamedTensorInfoMap, attrs: object = {}): tf.TensorInfo {
    const config = tf.getKernel(kernelName, 'wasm');
    if (config === undefined) {
      throw new Error(`groupnas: wasm kernel '${kernelName}' is not registered`);
    }
    // Kernel attributes are plain data; tfjs types them per kernel, the registry only as a loose map.
    const result = config.kernelFunc({ inputs, backend: this.backend, attrs: attrs as tf.NamedAttrMap });
    if (Array.isArray(result)) {
      this.intermediates.push(...result);
      throw new Error(`groupnas: wasm kernel '${kernelName}' returned several outputs where one was expected`);
    }
    this.intermediates.push(result);
    return result;
  }

  /** A fresh float32 buffer on the wasm heap, tracked like a kernel output. */
  allocate(shape: number[]): tf.TensorInfo {
    const info = this.backend.makeOutput(shape, 'float32');
    this.intermediates.push(info);
    return info;
  }

  /** A view of a float32 tensor's data on the wasm heap. Take views only after the last allocation: growing the heap detaches them. */
  view(info: tf.TensorInfo): Float32Array {
    return this.backend.typedArrayFromHeap(info) as Float32Array;
  }

  transpose(x: tf.TensorInfo, perm: readonly number[]): tf.TensorInfo {
    return this.run('Transpose', { x }, { perm: [...perm] });
  }

  reshape(x: tf.TensorInfo, shape: number[]): tf.TensorInfo {
    return this.run('Reshape', { x }, { shape });
  }

  /** Crop an NHWC tensor's spatial borders (no-op when nothing is cut). */
  cropSpatial(x: tf.TensorInfo, top: number, bottom: number, left: number, right: number): tf.TensorInfo {
    if (top === 0 && bottom === 0 && left === 0 && right === 0) return x;
    const [n, h, w, c] = x.shape as [number, number, number, number];
    return this.run('Slice', { x }, { begin: [0, top, left, 0], size: [n, h - top - bottom, w - left - right, c] });
  }

  /** Hand `info` to the caller: it will not be disposed by this scope. */
  keep(info: tf.TensorInfo): tf.TensorInfo {
    const index = this.intermediates.indexOf(info);
    if (index >= 0) this.intermediates.splice(index, 1);
    return info;
  }

  /** Free every intermediate still tracked. */
  dispose(): void {
    for (const info of this.intermediates) this.backend.disposeData(info.dataId);
    this.intermediates.length = 0;
  }
}

/** Run `body` with a fresh scope; its result is kept, everything else made in the scope is freed, even on error. */
export function withWasmKernelScope(backend: BackendWasm, body: (scope: WasmKernelScope) => tf.TensorInfo): tf.TensorInfo {
  const scope = new WasmKernelScope(backend);
  try {
    return scope.keep(body(scope));
  } finally {
    scope.dispose();
  }
}
