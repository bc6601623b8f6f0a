import { availableParallelism } from 'node:os';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type * as tf from '../../util/tfjs.js';
import { NotAvailableError, UsageError } from '../../util/errors.js';
import {
  loadNativeAddon,
  MAX_NATIVE_THREADS,
  NATIVE_PATHS,
  NATIVE_TRAINING_PATHS,
  type NativeAddon,
  type NativeTrainingPath,
} from '../../util/native-addon.js';

/**
 * Which kernels train on the wasm backend: `native` (the addon's C kernels, run-time ISA
 * dispatch, threads), `wasm` (the JS composites over XNNPACK in src/backend/kernels), or
 * `auto` (native when the addon is built and runs here, wasm otherwise).
 */
export const TRAINING_KERNEL_CHOICES = ['auto', 'native', 'wasm'] as const;
export type TrainingKernelRequest = (typeof TRAINING_KERNEL_CHOICES)[number];

/** The native training kernels as this process runs them. */
export interface NativeTraining {
  addon: NativeAddon;
  path: NativeTrainingPath;
  /** The addon's id of `path`. */
  pathId: number;
  /** The packed engine's path that runs binary units' popcount forward (its id), −1 for none. */
  binaryPathId: number;
  /** Threads per kernel call (the caller's own and its helpers). */
  threads: number;
}

let current: NativeTraining | undefined;

/** Threads a process uses when nobody says: every core, divided among `workers` processes or threads. */
export function defaultTrainingThreads(workers = 1): number {
  return Math.max(1, Math.floor(availableParallelism() / Math.max(1, workers)));
}

/**
 * The native training kernels, ready to run with `threads` threads (default: every core), or a
 * NotAvailableError saying why not. GROUPNAS_NATIVE_PATH=avx512|avx2|portable forces a path.
 */
export function openNativeTraining(threads = defaultTrainingThreads()): NativeTraining {
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_NATIVE_THREADS) {
    throw new UsageError(`native training threads: expected an integer 1..${MAX_NATIVE_THREADS}, got ${threads}`);
  }
  const addon = loadNativeAddon();
  if (typeof addon.trainPaths !== 'function') {
    throw new NotAvailableError('native training kernels: the built addon predates them; rebuild it with `npm run build:native`');
  }
  const paths = addon.trainPaths();
  // GROUPNAS_NATIVE_PATH names the packed engine's paths too; its popcnt path has no float kernels of its own
  const forced = process.env.GROUPNAS_NATIVE_PATH === 'popcnt' ? 'portable' : process.env.GROUPNAS_NATIVE_PATH;
  const path = (forced !== undefined && forced !== '' ? forced : paths[0]) as NativeTrainingPath | undefined;
  if (path === undefined || !paths.includes(path)) {
    throw new NotAvailableError(`native training kernels: path '${String(path)}' is not available on this CPU (available: ${paths.join(', ') || 'none'})`);
  }
  const binary = addon.paths()[0];
  current = { addon, path, pathId: NATIVE_TRAINING_PATHS.indexOf(path), binaryPathId: binary === undefined ? -1 : NATIVE_PATHS.indexOf(binary), threads };
  return current;
}

/**
 * Let the active native kernels use `threads` threads from now on (the calling thread included), as
 * when a worker starts training beside this thread and should have its cores; returns how many they
 * used before, or undefined when no native kernels are active. Results do not depend on it.
 */
export function setNativeTrainingThreads(threads: number): number | undefined {
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_NATIVE_THREADS) {
    throw new UsageError(`native training threads: expected an integer 1..${MAX_NATIVE_THREADS}, got ${threads}`);
  }
  if (current === undefined) return undefined;
  const before = current.threads;
  current.threads = threads;
  return before;
}

/** The wasm backend's heap (its Emscripten module's memory), which the kernels read and write in place. */
export function wasmHeap(backend: BackendWasm): ArrayBufferLike {
  return (backend.wasm as unknown as { HEAPU8: Uint8Array }).HEAPU8.buffer;
}

/** The wasm heap last advised to use huge pages (advice covers the pages present when given). */
let advisedHeap: ArrayBufferLike | undefined;

/**
 * The native training kernels last opened, if any. Given the wasm heap the kernels are about to
 * work on, it also (once per heap growth) advises the OS to back it with huge pages.
 */
export function activeNativeTraining(heap?: ArrayBufferLike): NativeTraining | undefined {
  if (current !== undefined && heap !== undefined && heap !== advisedHeap && heap instanceof ArrayBuffer) {
    current.addon.adviseHugePages(heap);
    advisedHeap = heap;
  }
  return current;
}

/** A kernel function's arguments on the wasm backend. */
export interface WasmKernelArgs<A = tf.NamedAttrMap> {
  inputs: tf.NamedTensorInfoMap;
  backend: BackendWasm;
  attrs: A;
}

/**
 * Elements below which an element-wise op (Add, Relu) stays with the stock kernel: a native call and
 * a helper's wake-up cost more than a single-threaded pass over a small tensor.
 */
export const NATIVE_ELEMENTWISE_MIN_ELEMENTS = 1 << 16;

/** The native kernels, for a kernel registered only while they are in use (else an error naming it). */
export function requireNativeTraining(kernel: string, backend: BackendWasm): NativeTraining {
  const native = activeNativeTraining(wasmHeap(backend));
  if (native === undefined) throw new Error(`groupnas: ${kernel} runs only while the native training kernels are in use`);
  return native;
}

/**
 * A tensor's memory in the wasm heap, read and written in place. Take views only after every output
 * is made: making one may grow the heap, which detaches older views.
 */
export function heapF32(backend: BackendWasm, t: tf.TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(t) as Float32Array;
}

export function heapI32(backend: BackendWasm, t: tf.TensorInfo): Int32Array {
  return backend.typedArrayFromHeap(t) as Int32Array;
}

/** Forget the native kernels (after the wasm composites were put back). */
export function closeNativeTraining(): void {
  current = undefined;
}
