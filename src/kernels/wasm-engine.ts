/**
 * The WebAssembly SIMD128 engine. Each call lays its operands out in the module's linear
 * memory (activations, weights in the kernel's row layout, the padding-correction table,
 * transform, scratch), runs one kernel and copies the result out. The math lives in
 * assembly/binary.ts; this file is only layout and bookkeeping.
 */
import { UsageError } from '../util/errors.js';
import { convGeometry, type ConvGeometry, type ConvSpec } from './conv-spec.js';
import type { BinaryEngine, ConvResult } from './engine.js';
import { checkConvOperands, checkGemm } from './js-engine.js';
import { applyOutputTransform, checkAffine, checkLambdas, checkMix, type ChannelAffine } from './output-transform.js';
import { checkShape, wordsFor, type BitPlaneActivations, type NhwcShape, type PackedActivations } from './packing.js';
import { paddingCorrection, type PaddingCorrection } from './padding-correction.js';
import { instantiateBinaryKernels, type BinaryKernelExports } from './wasm-module.js';
import type { PackedWeights } from './weights.js';

/** Field indices of the kernels' i32 parameter block; must match P_* in assembly/binary.ts. */
const WASM_PARAM = {
  n: 0, h: 1, w: 2, words: 3, kernel: 4, stride: 5, dilation: 6, padTop: 7, padLeft: 8,
  outH: 9, outW: 10, rowVecs: 11, cout: 12, coutPad: 13, mode: 14, planes: 15, planeBytes: 16,
  input: 17, weights: 18, base: 19, rowClass: 20, colClass: 21, colClasses: 22, scale: 23,
  bias: 24, out: 25, rows: 26, rowPop: 27, outWords: 28, scratch: 29,
} as const;
const PARAM_COUNT = 30;

const MODE = { int: 0, float: 1, accumulate: 2, sign: 3 } as const;
type Mode = keyof typeof MODE;

const PAGE = 65536;

/** Weights re-laid for the kernel: rows padded to whole v128 (4 words), Cout padded to 4. */
interface KernelWeights {
  rowVecs: number;
  coutPad: number;
  rows: Uint32Array;
  corrections: Map<string, PaddingCorrection>;
}

const kernelWeightsCache = new WeakMap<PackedWeights, KernelWeights>();

/** Float filters re-laid for the kernel: HWIO with Cout padded to 16 (zeros). */
const floatFilterCache = new WeakMap<Float32Array, { outChannels: number; coutPad: number; data: Float32Array }>();

function paddedFilter(filter: Float32Array, outChannels: number): { coutPad: number; data: Float32Array } {
  const hit = floatFilterCache.get(filter);
  if (hit && hit.outChannels === outChannels) return hit;
  const coutPad = Math.ceil(outChannels / 16) * 16;
  const rows = filter.length / outChannels;
  const data = new Float32Array(rows * coutPad);
  for (let r = 0; r < rows; r++) data.set(filter.subarray(r * outChannels, (r + 1) * outChannels), r * coutPad);
  const entry = { outChannels, coutPad, data };
  floatFilterCache.set(filter, entry);
  return entry;
}

function kernelWeights(weights: PackedWeights): KernelWeights {
  let kw = kernelWeightsCache.get(weights);
  if (kw) return kw;
  const taps = weights.kernel * weights.kernel;
  const rowWords = taps * weights.words;
  const rowVecs = Math.ceil(rowWords / 4);
  const coutPad = Math.ceil(weights.outChannels / 4) * 4;
  const rows = new Uint32Array(coutPad * rowVecs * 4);
  for (let o = 0; o < weights.outChannels; o++) {
    rows.set(weights.data.subarray(o * rowWords, (o + 1) * rowWords), o * rowVecs * 4);
  }
  kw = { rowVecs, coutPad, rows, corrections: new Map() };
  kernelWeightsCache.set(weights, kw);
  return kw;
}

/** A bump allocator over linear memory for one call; every block 16-byte aligned. */
class CallLayout {
  private end: number;
  constructor(start: number) {
    this.end = start;
  }
  alloc(bytes: number): number {
    const at = Math.ceil(this.end / 16) * 16;
    this.end = at + Math.max(bytes, 0);
    return at;
  }
  get size(): number {
    return this.end;
  }
}

interface ConvCall {
  input: { n: number; h: number; w: number; c: number; words: number };
  planes: Uint32Array;
  bits: number;
  weights: PackedWeights;
  spec: ConvSpec;
  mode: Mode;
  transform?: ChannelAffine;
  accumulate?: Float32Array;
}

export class WasmEngine implements BinaryEngine {
  readonly name = 'wasm' as const;
  private readonly kernels: BinaryKernelExports;

  constructor() {
    this.kernels = instantiateBinaryKernels();
  }

  /**
   * The roofline loop (see assembly/binary.ts): binary MAC/s of XOR+popcount over an
   * L1-resident buffer, median of ~10 ms runs after a warm-up long enough for V8 to
   * replace its baseline wasm code with optimized code.
   */
  measureRoofline(seconds = 0.3): number {
    const vecs = 124;
    const buf = this.ensure(new CallLayout(this.kernels.heapBase()), vecs * 16);
    const words = new Uint32Array(this.kernels.memory.buffer, buf, vecs * 4);
    for (let i = 0; i < words.length; i++) words[i] = Math.imul(i + 1, 2654435761) >>> 0;
    const iters = 2000;
    const run = (): number => {
      const t0 = process.hrtime.bigint();
      this.kernels.popcountRoofline(buf, vecs, iters);
      return Number(process.hrtime.bigint() - t0) / 1e9;
    };
    const warmUpEnd = Date.now() + 150;
    while (Date.now() < warmUpEnd) run();
    const times: number[] = [];
    const end = Date.now() + seconds * 1000;
    while (times.length < 5 || Date.now() < end) times.push(run());
    times.sort((a, b) => a - b);
    return (iters * vecs * 128) / times[Math.floor(times.length / 2)]!;
  }

  convDots(input: PackedActivations, weights: PackedWeights, spec: ConvSpec): ConvResult<Int32Array> {
    const r = this.run({ input, planes: input.data, bits: 0, weights, spec, mode: 'int' });
    return { ...r.shape, data: new Int32Array(r.bytes.buffer, r.bytes.byteOffset, r.bytes.byteLength / 4).slice() };
  }

  conv(input: PackedActivations, weights: PackedWeights, spec: ConvSpec, transform: ChannelAffine, accumulate?: Float32Array): ConvResult<Float32Array> {
    const r = this.run({ input, planes: input.data, bits: 0, weights, spec, mode: accumulate ? 'accumulate' : 'float', transform, accumulate });
    return { ...r.shape, data: this.floatResult(r.bytes, accumulate) };
  }

  convSign(input: PackedActivations, weights: PackedWeights, spec: ConvSpec, transform: ChannelAffine): PackedActivations {
    const r = this.run({ input, planes: input.data, bits: 0, weights, spec, mode: 'sign', transform });
    const data = new Uint32Array(r.bytes.buffer, r.bytes.byteOffset, r.bytes.byteLength / 4).slice();
    return { ...r.shape, words: wordsFor(r.shape.c), data };
  }

  bitPlaneConvDots(input: BitPlaneActivations, weights: PackedWeights, spec: ConvSpec): ConvResult<Int32Array> {
    const r = this.run({ input, planes: input.planes, bits: input.bits, weights, spec, mode: 'int' });
    return { ...r.shape, data: new Int32Array(r.bytes.buffer, r.bytes.byteOffset, r.bytes.byteLength / 4).slice() };
  }

  bitPlaneConv(input: BitPlaneActivations, weights: PackedWeights, spec: ConvSpec, transform: ChannelAffine, accumulate?: Float32Array): ConvResult<Float32Array> {
    const r = this.run({ input, planes: input.planes, bits: input.bits, weights, spec, mode: accumulate ? 'accumulate' : 'float', transform, accumulate });
    return { ...r.shape, data: this.floatResult(r.bytes, accumulate) };
  }

  gemm(a: Uint32Array, b: Uint32Array, m: number, n: number, kBits: number): Int32Array {
    const words = checkGemm(a, b, m, n, kBits);
    // A GEMM is a 1×1 'valid' conv over m pixels: no taps are ever padded, so tapSums are unused.
    const weights: PackedWeights = { kernel: 1, inChannels: kBits, outChannels: n, words, data: b, tapSums: new Int32Array(n) };
    const input = { n: 1, h: 1, w: m, c: kBits, words };
    const r = this.run({ input, planes: a, bits: 0, weights, spec: { kernel: 1, stride: 1, dilation: 1, padding: 'valid' }, mode: 'int' });
    return new Int32Array(r.bytes.buffer, r.bytes.byteOffset, r.bytes.byteLength / 4).slice();
  }

  floatConv(x: Float32Array, shape: NhwcShape, filter: Float32Array, outChannels: number, spec: ConvSpec): ConvResult<Float32Array> {
    checkShape(shape, x.length, 'floatConv');
    const k = spec.kernel;
    if (!Number.isInteger(outChannels) || outChannels < 1 || filter.length !== k * k * shape.c * outChannels) {
      throw new UsageError(`floatConv: filter has ${filter.length} values, expected ${k}×${k}×${shape.c}×${outChannels}`);
    }
    const g = convGeometry(shape.h, shape.w, spec);
    const f = paddedFilter(filter, outChannels);
    const pixels = shape.n * g.outH * g.outW;
    const layout = new CallLayout(this.kernels.heapBase());
    const at = { params: layout.alloc(PARAM_COUNT * 4), input: layout.alloc(x.byteLength), filter: layout.alloc(f.data.byteLength), out: 0 };
    at.out = this.ensure(layout, pixels * f.coutPad * 4);
    const buffer = this.kernels.memory.buffer;
    const f32 = new Float32Array(buffer);
    f32.set(x, at.input / 4);
    f32.set(f.data, at.filter / 4);
    const P = WASM_PARAM;
    const params = new Int32Array(buffer, at.params, PARAM_COUNT);
    params.fill(0);
    params[P.n] = shape.n;
    params[P.h] = shape.h;
    params[P.w] = shape.w;
    params[P.words] = shape.c;
    params[P.kernel] = k;
    params[P.stride] = spec.stride;
    params[P.dilation] = spec.dilation;
    params[P.padTop] = g.padTop;
    params[P.padLeft] = g.padLeft;
    params[P.outH] = g.outH;
    params[P.outW] = g.outW;
    params[P.coutPad] = f.coutPad;
    params[P.input] = at.input;
    params[P.weights] = at.filter;
    params[P.out] = at.out;
    this.kernels.floatConv(at.params);
    const result = new Float32Array(buffer, at.out, pixels * f.coutPad);
    let data: Float32Array;
    if (f.coutPad === outChannels) {
      data = result.slice();
    } else {
      data = new Float32Array(pixels * outChannels);
      for (let p = 0; p < pixels; p++) data.set(result.subarray(p * f.coutPad, p * f.coutPad + outChannels), p * outChannels);
    }
    return { n: shape.n, h: g.outH, w: g.outW, c: outChannels, data };
  }

  outputTransform(dots: Int32Array, transform: ChannelAffine, accumulate?: Float32Array): Float32Array {
    return applyOutputTransform(dots, transform, accumulate);
  }

  packSigns(x: Float32Array, shape: NhwcShape): PackedActivations {
    checkShape(shape, x.length, 'packSigns');
    const pixels = shape.n * shape.h * shape.w;
    const words = wordsFor(shape.c);
    const layout = new CallLayout(this.kernels.heapBase());
    const input = layout.alloc(x.byteLength);
    const out = this.ensure(layout, pixels * words * 4);
    new Float32Array(this.kernels.memory.buffer).set(x, input / 4);
    this.kernels.packSignsF32(input, pixels, shape.c, words, out);
    const data = new Uint32Array(this.kernels.memory.buffer, out, pixels * words).slice();
    return { n: shape.n, h: shape.h, w: shape.w, c: shape.c, words, data };
  }

  multiBaseSum(parts: readonly Float32Array[], lambdas: ArrayLike<number>): Float32Array {
    checkLambdas(parts, lambdas);
    return this.mixBases(parts, lambdas)[0]!;
  }

  mixBases(parts: readonly Float32Array[], mix: ArrayLike<number>): Float32Array[] {
    const { from, to, size } = checkMix(parts, mix);
    const layout = new CallLayout(this.kernels.heapBase());
    const inputs = layout.alloc(from * size * 4);
    const weights = layout.alloc(from * to * 4);
    const out = this.ensure(layout, to * size * 4);
    const f32 = new Float32Array(this.kernels.memory.buffer);
    parts.forEach((part, k) => f32.set(part, inputs / 4 + k * size));
    for (let i = 0; i < mix.length; i++) f32[weights / 4 + i] = mix[i]!;
    this.kernels.mixMaps(inputs, from, size, weights, to, out);
    return Array.from({ length: to }, (_, j) => f32.slice(out / 4 + j * size, out / 4 + (j + 1) * size));
  }

  private floatResult(bytes: Uint8Array, accumulate?: Float32Array): Float32Array {
    const view = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    if (accumulate) {
      accumulate.set(view);
      return accumulate;
    }
    return view.slice();
  }

  /** Grow linear memory to hold the layout plus `extra` bytes; returns the address of the extra block. */
  private ensure(layout: CallLayout, extra: number): number {
    const at = layout.alloc(extra);
    const memory = this.kernels.memory;
    const needed = layout.size - memory.buffer.byteLength;
    if (needed > 0) memory.grow(Math.ceil(needed / PAGE));
    return at;
  }

  private run(call: ConvCall): { shape: ConvResult<null>; bytes: Uint8Array } {
    const { input, weights, spec, mode, transform } = call;
    checkConvOperands(input, weights);
    if (weights.kernel !== spec.kernel) throw new UsageError(`binary conv: weights are ${weights.kernel}×${weights.kernel}, spec says ${spec.kernel}×${spec.kernel}`);
    const geometry: ConvGeometry = convGeometry(input.h, input.w, spec);
    const kw = kernelWeights(weights);
    const cout = weights.outChannels;
    const planes = Math.max(call.bits, 1);
    const planeWords = input.n * input.h * input.w * input.words;
    if (call.planes.length !== planeWords * planes) {
      throw new UsageError(`binary conv: packed input has ${call.planes.length} words, expected ${planes}×${planeWords}`);
    }
    if (transform) checkAffine(transform, cout);
    const pixels = input.n * geometry.outH * geometry.outW;
    if (call.accumulate && call.accumulate.length !== pixels * cout) {
      throw new UsageError(`binary conv: accumulator has ${call.accumulate.length} values, expected ${pixels * cout}`);
    }
    const correction = call.bits === 0 ? this.correction(weights, kw, input.h, input.w, spec, geometry) : undefined;
    const outWords = wordsFor(cout);
    const outBytes = mode === 'sign' ? pixels * outWords * 4 : pixels * cout * 4;
    const rowBytes = kw.rowVecs * 16;

    const layout = new CallLayout(this.kernels.heapBase());
    const at = {
      params: layout.alloc(PARAM_COUNT * 4),
      input: layout.alloc(call.planes.byteLength),
      weights: layout.alloc(kw.rows.byteLength),
      base: layout.alloc(correction ? correction.base.byteLength : 0),
      rowClass: layout.alloc(correction ? correction.rowClass.byteLength : 0),
      colClass: layout.alloc(correction ? correction.colClass.byteLength : 0),
      scale: layout.alloc(kw.coutPad * 4),
      bias: layout.alloc(kw.coutPad * 4),
      rows: layout.alloc(planes * geometry.outW * rowBytes),
      rowPop: layout.alloc(planes * geometry.outW * 4),
      scratch: layout.alloc(32),
      out: 0,
    };
    at.out = this.ensure(layout, outBytes);

    const buffer = this.kernels.memory.buffer;
    const u32 = new Uint32Array(buffer);
    const i32 = new Int32Array(buffer);
    const f32 = new Float32Array(buffer);
    u32.set(call.planes, at.input / 4);
    u32.set(kw.rows, at.weights / 4);
    if (correction) {
      i32.set(correction.base, at.base / 4);
      i32.set(correction.rowClass, at.rowClass / 4);
      i32.set(correction.colClass, at.colClass / 4);
    }
    f32.fill(0, at.scale / 4, at.scale / 4 + kw.coutPad * 2);
    if (transform) {
      f32.set(transform.scale, at.scale / 4);
      f32.set(transform.bias, at.bias / 4);
    }
    if (call.accumulate) f32.set(call.accumulate, at.out / 4);
    else if (mode === 'sign') u32.fill(0, at.out / 4, (at.out + outBytes) / 4);

    const P = WASM_PARAM;
    const params = new Int32Array(buffer, at.params, PARAM_COUNT);
    params[P.n] = input.n;
    params[P.h] = input.h;
    params[P.w] = input.w;
    params[P.words] = input.words;
    params[P.kernel] = spec.kernel;
    params[P.stride] = spec.stride;
    params[P.dilation] = spec.dilation;
    params[P.padTop] = geometry.padTop;
    params[P.padLeft] = geometry.padLeft;
    params[P.outH] = geometry.outH;
    params[P.outW] = geometry.outW;
    params[P.rowVecs] = kw.rowVecs;
    params[P.cout] = cout;
    params[P.coutPad] = kw.coutPad;
    params[P.mode] = MODE[mode];
    params[P.planes] = planes;
    params[P.planeBytes] = planeWords * 4;
    params[P.input] = at.input;
    params[P.weights] = at.weights;
    params[P.base] = at.base;
    params[P.rowClass] = at.rowClass;
    params[P.colClass] = at.colClass;
    params[P.colClasses] = correction ? correction.colClasses : 0;
    params[P.scale] = at.scale;
    params[P.bias] = at.bias;
    params[P.out] = at.out;
    params[P.rows] = at.rows;
    params[P.rowPop] = at.rowPop;
    params[P.outWords] = outWords;
    params[P.scratch] = at.scratch;

    if (call.bits === 0) this.kernels.binaryConv(at.params);
    else this.kernels.bitPlaneConv(at.params);

    return {
      shape: { n: input.n, h: geometry.outH, w: geometry.outW, c: cout, data: null },
      bytes: new Uint8Array(buffer, at.out, outBytes),
    };
  }

  private correction(weights: PackedWeights, kw: KernelWeights, h: number, w: number, spec: ConvSpec, geometry: ConvGeometry): PaddingCorrection {
    const key = `${h}/${w}/${spec.stride}/${spec.dilation}/${spec.padding}`;
    let c = kw.corrections.get(key);
    if (!c) {
      c = paddingCorrection(weights, h, w, spec, geometry, kw.coutPad);
      kw.corrections.set(key, c);
    }
    return c;
  }
}
