/**
 * Loading the WebAssembly kernels built from `assembly/binary.ts` by
 * `scripts/build-wasm.mjs` into `dist/kernels/binary.wasm`. The path is resolved from the
 * package root, which is two levels above this file both in `src/kernels` (tests) and in
 * `dist/kernels` (installed package).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { NotAvailableError } from '../util/errors.js';
import { PACKAGE_ROOT } from '../util/version.js';

export const WASM_PATH = join(PACKAGE_ROOT, 'dist', 'kernels', 'binary.wasm');

/** The slice of the WebAssembly JS API we use (lib "dom" is not in this project's tsconfig). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: unknown };
}
const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** The module's exports (see assembly/binary.ts). */
export interface BinaryKernelExports {
  memory: WasmMemory;
  heapBase(): number;
  binaryConv(params: number): void;
  bitPlaneConv(params: number): void;
  floatConv(params: number): void;
  packSignsF32(input: number, pixels: number, c: number, words: number, out: number): void;
  mixMaps(inputs: number, from: number, size: number, mix: number, to: number, out: number): void;
  popcountRoofline(buf: number, vecs: number, iters: number): number;
}

let compiled: object | undefined;

/** A fresh instance (own linear memory) of the binary kernels. */
export function instantiateBinaryKernels(): BinaryKernelExports {
  if (!compiled) {
    if (!existsSync(WASM_PATH)) {
      throw new NotAvailableError(`wasm engine: ${WASM_PATH} is missing; build it with \`npm run build:wasm\``);
    }
    // Compile straight to optimized code: V8 otherwise starts on its baseline compiler and a
    // long kernel call cannot switch tiers mid-run, so the first calls (or measurements) would
    // be several times slower. The flag is set only around this compile.
    setFlagsFromString('--no-liftoff');
    try {
      compiled = new wasmApi.Module(readFileSync(WASM_PATH));
    } catch (err) {
      throw new NotAvailableError(`wasm engine: cannot compile ${WASM_PATH} (WebAssembly SIMD needed): ${(err as Error).message}`);
    } finally {
      if (!process.execArgv.includes('--no-liftoff')) setFlagsFromString('--liftoff');
    }
  }
  const instance = new wasmApi.Instance(compiled, {
    env: {
      abort: () => {
        throw new Error('binary kernels: abort');
      },
    },
  });
  return instance.exports as unknown as BinaryKernelExports;
}
