/**
 * Loading the Node-API addon and its typed surface. Where it comes from, first found wins:
 * 1. `GROUPNAS_NATIVE_ADDON` (e.g. an AddressSanitizer build);
 * 2. `native/build/Release/groupnas_native.node`, built from `native/` by scripts/build-native.mjs
 *    (`npm ci` in a clone, the package's `install` script for npm users; never fails the install);
 * 3. `prebuilds/<platform>-<arch>/groupnas_native.node`, the prebuildify layout: the binary built when
 *    the package was packed, for machines that cannot compile it.
 * Paths are resolved from the package root. The typed surface covers the packed inference kernels
 * (src/kernels' native engine) and the training kernels (src/backend/native). A missing or
 * unloadable addon is a NotAvailableError that says why.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { NotAvailableError } from './errors.js';
import { PACKAGE_ROOT } from './version.js';

/** The addon built on this machine (at install, or by `npm run build:native`). */
export const NATIVE_BUILD_PATH = join(PACKAGE_ROOT, 'native', 'build', 'Release', 'groupnas_native.node');
/** The addon built when the package was packed, for this platform. */
export const NATIVE_PREBUILT_PATH = join(PACKAGE_ROOT, 'prebuilds', `${process.platform}-${process.arch}`, 'groupnas_native.node');

/** The most threads one call of the addon takes (GN_MAX_PARTS in native/src/kernels.h). */
export const MAX_NATIVE_THREADS = 64;
/** Written by scripts/build-native.mjs: why the last build was skipped or failed. */
export const NATIVE_BUILD_STATUS_PATH = join(PACKAGE_ROOT, 'native', 'build', 'status.json');

/** Where the addon this process loads comes from, and why that one. */
export interface NativeAddonSource {
  path: string;
  origin: 'environment' | 'built' | 'prebuilt';
  /** One line for `groupnas info`. */
  reason: string;
}

/** The addon file this process would load, or undefined when there is none. */
export function nativeAddonSource(): NativeAddonSource | undefined {
  const override = process.env.GROUPNAS_NATIVE_ADDON;
  if (override) return { path: override, origin: 'environment', reason: 'GROUPNAS_NATIVE_ADDON' };
  if (existsSync(NATIVE_BUILD_PATH)) return { path: NATIVE_BUILD_PATH, origin: 'built', reason: 'compiled on this machine' };
  if (existsSync(NATIVE_PREBUILT_PATH)) {
    return {
      path: NATIVE_PREBUILT_PATH,
      origin: 'prebuilt',
      reason: `prebuilt for ${process.platform}-${process.arch}${buildStatus() || ' (not compiled here)'}`,
    };
  }
  return undefined;
}

/** Dispatch paths, fastest first; the numbers are the addon's path ids. */
export const NATIVE_PATHS = ['avx512', 'avx2', 'popcnt', 'portable'] as const;
export type NativePath = (typeof NATIVE_PATHS)[number];

/**
 * The mixed quantizer's first arguments: per bit width its bits, weight p, factor (2^k−1)/β and step
 * β/(2^k−1) (float32, as the composite rounds them); β; approx: 1 for Bi-Real's sign slope.
 */
export type MixedQuantizerOperands = [bits: Int32Array, p: Float32Array, factor: Float32Array, step: Float32Array, beta: number, approx: number];

/** The addon's exports (see native/src/addon.c); every argument is re-checked on the C side. */
export interface NativeAddon {
  /** Paths this CPU and build can run, fastest first. */
  paths(): NativePath[];
  conv(
    path: number,
    mode: number,
    bits: number,
    n: number,
    h: number,
    w: number,
    c: number,
    kernel: number,
    stride: number,
    dilation: number,
    padding: number,
    cout: number,
    input: Uint32Array,
    weights: Uint32Array,
    tapSums: Int32Array | null,
    scale: Float32Array | null,
    bias: Float32Array | null,
    out: Int32Array | Float32Array | Uint32Array,
    threads: number,
  ): void;
  packSigns(path: number, x: Float32Array, pixels: number, c: number, out: Uint32Array): void;
  packBitPlanes(path: number, x: Float32Array, pixels: number, c: number, bits: number, beta: number, factor: number, out: Uint32Array): void;
  floatConv(
    x: Float32Array,
    n: number,
    h: number,
    w: number,
    c: number,
    filter: Float32Array,
    cout: number,
    kernel: number,
    stride: number,
    dilation: number,
    padding: number,
    out: Float32Array,
    threads: number,
  ): void;
  outputTransform(dots: Int32Array, scale: Float32Array, bias: Float32Array, out: Float32Array, accumulate: boolean): void;
  mix(parts: Float32Array[], weights: Float32Array, outs: Float32Array[]): void;
  /** XOR + popcount over an L1-resident 4096-word buffer, `iters` times: 4096·32·iters binary MACs. */
  roofline(path: number, iters: number): number;
  /** This thread's CPU seconds (−1 where the system has no per-thread clock). */
  threadCpuSeconds(): number;
  /** Training paths this CPU and build can run, fastest first (see native/src/addon-train.c). */
  trainPaths(): NativeTrainingPath[];
  /**
   * A float convolution of a training step (native/src/train.h), in place on the given arrays:
   * op 0 forward (a = x, b = filter, out = y), 1 backprop input (a = dy, b = filter, out = dx),
   * 2 backprop filter (a = x, b = dy, out = dFilter). `geometry`: [n, h, w, c, kh, kw, strideH, strideW, dilationH, dilationW, padTop, padLeft, outH, outW, cout].
   */
  conv2d(op: 0 | 1 | 2, path: number, geometry: Int32Array, a: Float32Array, b: Float32Array, out: Float32Array, threads: number): void;
  /** Training-mode batch norm over the pixels of NHWC `x` with `c` channels (native/src/batch-norm.c). */
  batchNormForward(
    x: Float32Array,
    c: number,
    gamma: Float32Array,
    beta: Float32Array,
    epsilon: number,
    y: Float32Array,
    mean: Float32Array,
    variance: Float32Array,
    rstd: Float32Array,
    threads: number,
    /** Added to y (a residual connection fused into the pass that writes y), or null. */
    residual: Float32Array | null,
    /** ReLU on y, after the residual. */
    relu: boolean,
  ): void;
  /**
   * The binary unit's convolution on sign(x) (native/src/sign-conv.c): op 0 forward (a = x, b = filter,
   * out = y, writes bits), 1 backprop input (a = dy, b = filter, out = dx), 2 backprop filter (a = dy,
   * b = null, out = dFilter). `binaryPath`: the packed engine's path for the popcount forward, −1 for float.
   * `addend` (op 1 only, else null): added to dx, the gradient x gets from another use (a residual).
   */
  signConv2d(
    op: 0 | 1 | 2,
    path: number,
    binaryPath: number,
    geometry: Int32Array,
    a: Float32Array,
    b: Float32Array | null,
    out: Float32Array,
    threads: number,
    bits: Int32Array,
    addend: Float32Array | null,
  ): void;
  /** One parameter's optimizer update (native/src/optimizer-step.c); `rule` as OPTIMIZER_STEP's attribute. */
  optimizerStep(rule: object, w: Float32Array, grad: Float32Array, slots: Float32Array[], outW: Float32Array, outSlots: Float32Array[], threads: number): void;
  /** Advise the kernel to back `buffer` (the wasm heap) with transparent huge pages; returns the bytes advised. */
  adviseHugePages(buffer: ArrayBuffer): number;
  /** y = Σ_b p_b·q_b(x), the supernet's mixed activation quantizer (native/src/mixed-quantize.c). */
  mixedQuantizeForward(...args: [...MixedQuantizerOperands, x: Float32Array, y: Float32Array, threads: number]): void;
  /** ∂x of the mixed quantizer, and ∂p unless `dp` is null. */
  mixedQuantizeBackward(
    ...args: [...MixedQuantizerOperands, x: Float32Array, dy: Float32Array, dx: Float32Array, dp: Float32Array | null, threads: number]
  ): void;
  /** x̃_j = Σ_k W[j,k]·x_k over maps of one size (native/src/mix-train.c). */
  mixForward(weights: Float32Array, parts: Float32Array[], outs: Float32Array[], threads: number): void;
  /** ∂x_k = Σ_j W[j,k]·∂x̃_j and ∂W[j,k] = Σ ∂x̃_j ⊙ x_k. */
  mixBackward(weights: Float32Array, parts: Float32Array[], dys: Float32Array[], dparts: Float32Array[], dweights: Float32Array, threads: number): void;
  /** batchNormForward's gradient: dx, dγ, dβ from dy and the forward's x, mean and rstd (native/src/batch-norm.c). */
  batchNormBackward(
    dy: Float32Array,
    x: Float32Array,
    mean: Float32Array,
    c: number,
    gamma: Float32Array,
    rstd: Float32Array,
    dx: Float32Array,
    dgamma: Float32Array,
    dbeta: Float32Array,
    threads: number,
    /** The forward's y when it applied ReLU (its slope masks dy), or null. */
    reluY: Float32Array | null,
    /** With reluY, receives the masked dy (a residual's gradient), or null. */
    maskedDy: Float32Array | null,
  ): void;
  /**
   * Average pooling in training, windows given as a conv geometry (native/src/avg-pool.c): each
   * window's valid pixels summed in row-major order, times 1/count.
   */
  avgPool(geometry: Int32Array, x: Float32Array, y: Float32Array, threads: number): void;
  /** dx of average pooling, windows given as a conv geometry (native/src/avg-pool.c). */
  avgPoolGrad(geometry: Int32Array, dy: Float32Array, dx: Float32Array, threads: number): void;
  /** y = max(x, +0), NaN kept, as tfjs-wasm's Relu (native/src/relu.c); two arrays of one length. */
  relu(x: Float32Array, y: Float32Array, threads: number): void;
  /** dx = dy · step(x) of ReLU (native/src/relu.c); three arrays of one length. */
  reluGrad(x: Float32Array, dy: Float32Array, dx: Float32Array, threads: number): void;
  /** Wb = α·sign(W), α_o = mean |W[·,o]| over the rows of a rows × cout weight (native/src/magnitude-aware-sign.c). */
  magnitudeAwareSign(w: Float32Array, cout: number, wb: Float32Array, alpha: Float32Array, threads: number): void;
  /** ∂W = (∂Wb · 1{|W| ≤ 1}) · α_o, with the forward's α (native/src/magnitude-aware-sign.c). */
  magnitudeAwareSignGrad(w: Float32Array, cout: number, dy: Float32Array, alpha: Float32Array, dw: Float32Array, threads: number): void;
}

/** Binary MACs one `roofline` iteration does. */
/** Training dispatch paths, fastest first; the numbers are the addon's training path ids. */
export const NATIVE_TRAINING_PATHS = ['avx512', 'avx2', 'portable'] as const;
export type NativeTrainingPath = (typeof NATIVE_TRAINING_PATHS)[number];

export const ROOFLINE_MACS_PER_ITER = 4096 * 32;

let loaded: NativeAddon | undefined;
let loadError: NotAvailableError | undefined;

function buildStatus(): string {
  try {
    const status = JSON.parse(readFileSync(NATIVE_BUILD_STATUS_PATH, 'utf8')) as { ok?: boolean; reason?: string };
    return status.reason ? ` (last build: ${status.reason})` : '';
  } catch {
    return '';
  }
}

/** The addon, loaded once; throws NotAvailableError (remembered) when it is not built or cannot load. */
export function loadNativeAddon(): NativeAddon {
  if (loaded) return loaded;
  if (loadError) throw loadError;
  const source = nativeAddonSource();
  if (source === undefined) {
    loadError = new NotAvailableError(
      `native engine: the addon is not built${buildStatus()}; build it with \`npm run build:native\` (needs a C compiler, make and Python for ` +
        `node-gyp), or use the wasm engine`,
    );
    throw loadError;
  }
  try {
    loaded = createRequire(import.meta.url)(source.path) as NativeAddon;
    return loaded;
  } catch (err) {
    loadError = new NotAvailableError(`native engine: cannot load ${source.path}: ${(err as Error).message}; rebuild it with \`npm run build:native\``);
    throw loadError;
  }
}
