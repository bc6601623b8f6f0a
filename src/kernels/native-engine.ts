/**
 * The native engine (DESIGN §5): the BinaryEngine interface on the Node-API addon in `native/`,
 * with run-time CPU dispatch among AVX-512 VPOPCNTDQ, AVX2 (VPSHUFB popcount), scalar POPCNT
 * and portable C. `GROUPNAS_NATIVE_PATH=avx512|avx2|popcnt|portable` (or the `path` option)
 * forces a path; by default the fastest this CPU runs is taken. One thread by default;
 * `GROUPNAS_NATIVE_THREADS=N` (or the `threads` option) splits large convs over the calling thread's
 * pool of N threads, the pool the training kernels use.
 *
 * Zero-copy: the kernels read the caller's typed arrays and write into result arrays
 * allocated here. Weights are re-laid once per PackedWeights (cached) into 32-channel
 * interleaved blocks, the layout the micro-kernels stream (native/src/kernels.h).
 * This file checks operands with the same UsageErrors as the other engines; the addon
 * checks every length again on its side.
 */
import { NotAvailableError, UsageError } from '../util/errors.js';
import { scratchFloat32, scratchUint32 } from './buffer-arena.js';
import { checkConvBuffers, OUTPUT_MODE, type ConvCall } from './conv-call.js';
import { checkConvSpec, convGeometry, type ConvSpec, type Padding } from './conv-spec.js';
import type { BinaryEngine, ConvResult } from './engine.js';
import { checkFloatConvOperands } from './float-conv.js';
import { checkConvOperands, checkGemm } from './js-engine.js';
import { loadNativeAddon, MAX_NATIVE_THREADS, NATIVE_PATHS, ROOFLINE_MACS_PER_ITER, type NativeAddon, type NativePath } from '../util/native-addon.js';
import { checkAffine, checkLambdas, checkMix, type ChannelAffine } from './output-transform.js';
import { bitPlaneLayout, checkShape, wordsFor, type BitPlaneActivations, type NhwcShape, type PackedActivations } from './packing.js';
import { timeMedian } from './timing.js';
import type { PackedWeights } from './weights.js';

/** The environment variable that forces a dispatch path. */
export const NATIVE_PATH_ENV = 'GROUPNAS_NATIVE_PATH';
/** The environment variable that sets the threads of a conv (1 to MAX_NATIVE_THREADS). */
export const NATIVE_THREADS_ENV = 'GROUPNAS_NATIVE_THREADS';

const PADDING: Record<Padding, number> = { same: 0, valid: 1, symmetric: 2 };

/** Output channels per interleaved weight block (GN_CB in native/src/kernels.h). */
const BLOCK = 32;

export interface NativeEngineOptions {
  /** Force a dispatch path; default: $GROUPNAS_NATIVE_PATH, else the fastest this CPU runs. */
  path?: NativePath;
  /** Threads per conv (default: $GROUPNAS_NATIVE_THREADS, else 1); convs of < 8 M binary MACs run on one. */
  threads?: number;
}

const interleavedCache = new WeakMap<PackedWeights, Uint32Array>();

/** Weights as 32-channel blocks: w[(block·rowWords + k)·32 + j] = word k of channel block·32 + j's row. */
export function interleaveWeights(weights: PackedWeights): Uint32Array {
  const cached = interleavedCache.get(weights);
  if (cached) return cached;
  const { kernel, words, outChannels: cout, data } = weights;
  const rowWords = kernel * kernel * words;
  if (words !== wordsFor(weights.inChannels) || data.length !== cout * rowWords || weights.tapSums.length !== cout * kernel * kernel) {
    throw new UsageError(
      `native engine: packed weights hold ${data.length} words and ${weights.tapSums.length} tap sums, expected ${cout * rowWords} and ` +
        `${cout * kernel * kernel} for ${kernel}×${kernel}×${weights.inChannels}×${cout}`,
    );
  }
  const blocks = Math.ceil(cout / BLOCK);
  const out = new Uint32Array(blocks * rowWords * BLOCK);
  for (let o = 0; o < cout; o++) {
    const block = Math.floor(o / BLOCK);
    const lane = o % BLOCK;
    const src = o * rowWords;
    const dst = block * rowWords * BLOCK + lane;
    for (let k = 0; k < rowWords; k++) out[dst + k * BLOCK] = data[src + k]!;
  }
  interleavedCache.set(weights, out);
  return out;
}

/** The path named by $GROUPNAS_NATIVE_PATH, if set (checked against the known names). */
export function forcedNativePath(env: NodeJS.ProcessEnv = process.env): NativePath | undefined {
  const value = env[NATIVE_PATH_ENV];
  if (value === undefined || value === '') return undefined;
  if (!(NATIVE_PATHS as readonly string[]).includes(value)) {
    throw new UsageError(`${NATIVE_PATH_ENV}: expected one of ${NATIVE_PATHS.join(', ')}, got ${value}`);
  }
  return value as NativePath;
}

function checkPlaneCount(bits: number): void {
  if (!Number.isInteger(bits) || bits < 1 || bits > 8) throw new UsageError(`bit-plane conv: bits must be an integer in 1..8, got ${bits}`);
}

/** Threads named by $GROUPNAS_NATIVE_THREADS, if set. */
function isThreadCount(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && n <= MAX_NATIVE_THREADS;
}

export function nativeThreadsFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const value = env[NATIVE_THREADS_ENV];
  if (value === undefined || value === '') return undefined;
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!isThreadCount(n)) throw new UsageError(`${NATIVE_THREADS_ENV}: expected a whole number from 1 to ${MAX_NATIVE_THREADS}, got ${value}`);
  return n;
}

export class NativeEngine implements BinaryEngine {
  readonly name = 'native' as const;
  /** The dispatch path this engine runs. */
  readonly path: NativePath;
  /** Threads per conv. */
  readonly threads: number;
  private readonly pathId: number;
  private readonly addon: NativeAddon;

  constructor(options: NativeEngineOptions = {}) {
    this.addon = loadNativeAddon();
    const supported = this.addon.paths();
    const wanted = options.path ?? forcedNativePath();
    if (wanted !== undefined && !supported.includes(wanted)) {
      throw new NotAvailableError(`native engine: path ${wanted} is not supported by this CPU (supported: ${supported.join(', ')})`);
    }
    const path = wanted ?? supported[0];
    if (path === undefined) throw new NotAvailableError('native engine: the addon reports no runnable path');
    this.path = path;
    this.pathId = NATIVE_PATHS.indexOf(path);
    const threads = options.threads ?? nativeThreadsFromEnv() ?? 1;
    if (!isThreadCount(threads)) throw new UsageError(`native engine: threads must be a whole number from 1 to ${MAX_NATIVE_THREADS}, got ${String(threads)}`);
    this.threads = threads;
  }

  /** Paths this CPU and build can run, fastest first. */
  supportedPaths(): NativePath[] {
    return this.addon.paths();
  }

  /**
   * The roofline of this engine's path: binary MAC/s of XOR+popcount over an L1-resident
   * buffer, median of short runs after a warm-up.
   */
  measureRoofline(seconds = 0.3): number {
    const iters = this.path === 'avx512' ? 2000 : this.path === 'avx2' ? 500 : 100;
    const { medianSeconds } = timeMedian(() => this.addon.roofline(this.pathId, iters), { warmUpSeconds: 0.05, seconds });
    return (iters * ROOFLINE_MACS_PER_ITER) / medianSeconds;
  }

  convDots(input: PackedActivations, weights: PackedWeights, spec: ConvSpec): ConvResult<Int32Array> {
    return this.run({ input, planes: input.data, bits: 0, weights, spec, mode: 'int' }) as ConvResult<Int32Array>;
  }

  conv(input: PackedActivations, weights: PackedWeights, spec: ConvSpec, transform: ChannelAffine, accumulate?: Float32Array): ConvResult<Float32Array> {
    return this.run({
      input,
      planes: input.data,
      bits: 0,
      weights,
      spec,
      mode: accumulate ? 'accumulate' : 'float',
      transform,
      accumulate,
    }) as ConvResult<Float32Array>;
  }

  convSign(input: PackedActivations, weights: PackedWeights, spec: ConvSpec, transform: ChannelAffine): PackedActivations {
    const r = this.run({ input, planes: input.data, bits: 0, weights, spec, mode: 'sign', transform }) as ConvResult<Uint32Array>;
    return { n: r.n, h: r.h, w: r.w, c: r.c, words: wordsFor(r.c), data: r.data };
  }

  bitPlaneConvDots(input: BitPlaneActivations, weights: PackedWeights, spec: ConvSpec): ConvResult<Int32Array> {
    checkPlaneCount(input.bits);
    return this.run({ input, planes: input.planes, bits: input.bits, weights, spec, mode: 'int' }) as ConvResult<Int32Array>;
  }

  bitPlaneConv(
    input: BitPlaneActivations,
    weights: PackedWeights,
    spec: ConvSpec,
    transform: ChannelAffine,
    accumulate?: Float32Array,
  ): ConvResult<Float32Array> {
    checkPlaneCount(input.bits);
    return this.run({
      input,
      planes: input.planes,
      bits: input.bits,
      weights,
      spec,
      mode: accumulate ? 'accumulate' : 'float',
      transform,
      accumulate,
    }) as ConvResult<Float32Array>;
  }

  gemm(a: Uint32Array, b: Uint32Array, m: number, n: number, kBits: number): Int32Array {
    const words = checkGemm(a, b, m, n, kBits);
    // A GEMM is a 1×1 'valid' conv over m pixels: no tap is ever padded, so the tap sums are unused.
    const weights: PackedWeights = { kernel: 1, inChannels: kBits, outChannels: n, words, data: b, tapSums: new Int32Array(n) };
    const input = { n: 1, h: 1, w: m, c: kBits, words };
    return this.run({ input, planes: a, bits: 0, weights, spec: { kernel: 1, stride: 1, dilation: 1, padding: 'valid' }, mode: 'int' }).data as Int32Array;
  }

  floatConv(x: Float32Array, shape: NhwcShape, filter: Float32Array, outChannels: number, spec: ConvSpec): ConvResult<Float32Array> {
    checkFloatConvOperands(x, shape, filter, outChannels, spec);
    const k = spec.kernel;
    const g = convGeometry(shape.h, shape.w, spec);
    const out = scratchFloat32(shape.n * g.outH * g.outW * outChannels);
    this.call(() =>
      this.addon.floatConv(x, shape.n, shape.h, shape.w, shape.c, filter, outChannels, k, spec.stride, spec.dilation, PADDING[spec.padding], out, this.threads),
    );
    return { n: shape.n, h: g.outH, w: g.outW, c: outChannels, data: out };
  }

  outputTransform(dots: Int32Array, transform: ChannelAffine, accumulate?: Float32Array): Float32Array {
    const channels = transform.scale.length;
    checkAffine(transform, channels);
    if (channels === 0 || dots.length % channels !== 0)
      throw new UsageError(`output transform: ${dots.length} values are not a whole number of ${channels}-channel pixels`);
    if (accumulate && accumulate.length !== dots.length)
      throw new UsageError(`output transform: accumulator has ${accumulate.length} values, expected ${dots.length}`);
    const out = accumulate ?? scratchFloat32(dots.length);
    this.call(() => this.addon.outputTransform(dots, transform.scale, transform.bias, out, accumulate !== undefined));
    return out;
  }

  packSigns(x: Float32Array, shape: NhwcShape): PackedActivations {
    checkShape(shape, x.length, 'packSigns');
    const pixels = shape.n * shape.h * shape.w;
    const words = wordsFor(shape.c);
    const data = scratchUint32(pixels * words);
    this.call(() => this.addon.packSigns(this.pathId, x, pixels, shape.c, data));
    return { n: shape.n, h: shape.h, w: shape.w, c: shape.c, words, data };
  }

  packBitPlanes(x: Float32Array, shape: NhwcShape, bits: number, beta: number): BitPlaneActivations {
    const { words, pixels, factor } = bitPlaneLayout(x.length, shape, bits, beta);
    const planes = scratchUint32(bits * pixels * words);
    this.call(() => this.addon.packBitPlanes(this.pathId, x, pixels, shape.c, bits, beta, factor, planes));
    return { n: shape.n, h: shape.h, w: shape.w, c: shape.c, words, bits, planes };
  }

  multiBaseSum(parts: readonly Float32Array[], lambdas: ArrayLike<number>): Float32Array {
    checkLambdas(parts, lambdas);
    return this.mixBases(parts, lambdas)[0]!;
  }

  mixBases(parts: readonly Float32Array[], mix: ArrayLike<number>): Float32Array[] {
    const { to, size } = checkMix(parts, mix);
    const outs = Array.from({ length: to }, () => scratchFloat32(size));
    this.call(() => this.addon.mix([...parts], Float32Array.from(mix), outs));
    return outs;
  }

  /** Run an addon call; its argument errors (never expected after the checks here) become UsageErrors. */
  private call(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      if (err instanceof RangeError || (err as { code?: string }).code?.startsWith('ERR_GROUPNAS_NATIVE')) {
        throw new UsageError(`native engine: ${(err as Error).message}`);
      }
      throw err;
    }
  }

  private run(call: ConvCall): ConvResult<Int32Array | Float32Array | Uint32Array> {
    const { input, weights, spec, mode, transform } = call;
    checkConvSpec(spec);
    checkConvOperands(input, weights, spec);
    checkShape(input, input.n * input.h * input.w * input.c, 'binary conv');
    if (input.words !== wordsFor(input.c))
      throw new UsageError(`binary conv: input has ${input.words} words per pixel, expected ${wordsFor(input.c)} for ${input.c} channels`);
    const geometry = convGeometry(input.h, input.w, spec);
    const { cout, pixels } = checkConvBuffers(call, geometry);
    const interleaved = interleaveWeights(weights);
    const out =
      mode === 'int'
        ? new Int32Array(pixels * cout)
        : mode === 'sign'
          ? scratchUint32(pixels * wordsFor(cout))
          : (call.accumulate ?? scratchFloat32(pixels * cout));
    this.call(() =>
      this.addon.conv(
        this.pathId,
        OUTPUT_MODE[mode],
        call.bits,
        input.n,
        input.h,
        input.w,
        input.c,
        spec.kernel,
        spec.stride,
        spec.dilation,
        PADDING[spec.padding],
        cout,
        call.planes,
        interleaved,
        call.bits === 0 ? weights.tapSums : null,
        transform?.scale ?? null,
        transform?.bias ?? null,
        out,
        this.threads,
      ),
    );
    return { n: input.n, h: geometry.outH, w: geometry.outW, c: cout, data: out };
  }
}
