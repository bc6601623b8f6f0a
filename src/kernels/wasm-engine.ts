/**
 * The WebAssembly SIMD128 engine. Each call lays its operands out in the module's linear
 * memory (activations, weights in the kernel's row layout, the padding-correction table,
 * transform, scratch), runs one kernel and copies the result out. The math lives in
 * assembly/binary.ts; this file is only layout and bookkeeping.
 */
import { checkConvBuffers, OUTPUT_MODE, type ConvCall } from './conv-call.js';
import { convGeometry, type ConvGeometry, type ConvSpec } from './conv-spec.js';
import type { BinaryEngine, ConvResult } from './engine.js';
import { checkFloatConvOperands } from './float-conv.js';
import { checkConvOperands, checkGemm } from './js-engine.js';
import { applyOutputTransform, checkLambdas, checkMix, type ChannelAffine } from './output-transform.js';
import { checkShape, packBitPlanes, wordsFor, type BitPlaneActivations, type NhwcShape, type PackedActivations } from './packing.js';
import { paddingCorrection, type PaddingCorrection } from './padding-correction.js';
import { timeMedian } from './timing.js';
import { instantiateBinaryKernels, type BinaryKernelExports } from './wasm-module.js';
import type { PackedWeights } from './weights.js';

/** Field indices of the kernels' i32 parameter block; must match P_* in assembly/binary.ts. */
const WASM_PARAM = {
  n: 0,
  h: 1,
  w: 2,
  words: 3,
  kernel: 4,
  stride: 5,
  dilation: 6,
  padTop: 7,
  padLeft: 8,
  outH: 9,
  outW: 10,
  rowVecs: 11,
  cout: 12,
  coutPad: 13,
  mode: 14,
  planes: 15,
  planeBytes: 16,
  input: 17,
  weights: 18,
  base: 19,
  rowClass: 20,
  colClass: 21,
  colClasses: 22,
  scale: 23,
  bias: 24,
  out: 25,
  rows: 26,
  rowPop: 27,
  outWords: 28,
  scratch: 29,
} as const;
const PARAM_COUNT = 30;

/** Write the parameter block at `at`: the given fields, every other one 0. */
function writeParams(buffer: ArrayBuffer, at: number, fields: Partial<Record<keyof typeof WASM_PARAM, number>>): void {
  const params = new Int32Array(buffer, at, PARAM_COUNT);
  params.fill(0);
  for (const [name, value] of Object.entries(fields)) params[WASM_PARAM[name as keyof typeof WASM_PARAM]] = value;
}

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
    const { medianSeconds } = timeMedian(() => this.kernels.popcountRoofline(buf, vecs, iters), { warmUpSeconds: 0.15, seconds });
    return (iters * vecs * 128) / medianSeconds;
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

  bitPlaneConv(
    input: BitPlaneActivations,
    weights: PackedWeights,
    spec: ConvSpec,
    transform: ChannelAffine,
    accumulate?: Float32Array,
  ): ConvResult<Float32Array> {
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
    checkFloatConvOperands(x, shape, filter, outChannels, spec);
    const k = spec.kernel;
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
    writeParams(buffer, at.params, {
      n: shape.n,
      h: shape.h,
      w: shape.w,
      words: shape.c,
      kernel: k,
      stride: spec.stride,
      dilation: spec.dilation,
      padTop: g.padTop,
      padLeft: g.padLeft,
      outH: g.outH,
      outW: g.outW,
      coutPad: f.coutPad,
      input: at.input,
      weights: at.filter,
      out: at.out,
    });
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

  /** The JavaScript packing: the wasm kernels have no k-bit one. */
  packBitPlanes(x: Float32Array, shape: NhwcShape, bits: number, beta: number): BitPlaneActivations {
    return packBitPlanes(x, shape, bits, beta);
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
    checkConvOperands(input, weights, spec);
    const geometry: ConvGeometry = convGeometry(input.h, input.w, spec);
    const kw = kernelWeights(weights);
    const { cout, planes, planeWords, pixels } = checkConvBuffers(call, geometry);
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

    writeParams(buffer, at.params, {
      n: input.n,
      h: input.h,
      w: input.w,
      words: input.words,
      kernel: spec.kernel,
      stride: spec.stride,
      dilation: spec.dilation,
      padTop: geometry.padTop,
      padLeft: geometry.padLeft,
      outH: geometry.outH,
      outW: geometry.outW,
      rowVecs: kw.rowVecs,
      cout,
      coutPad: kw.coutPad,
      mode: OUTPUT_MODE[mode],
      planes,
      planeBytes: planeWords * 4,
      input: at.input,
      weights: at.weights,
      base: at.base,
      rowClass: at.rowClass,
      colClass: at.colClass,
      colClasses: correction ? correction.colClasses : 0,
      scale: at.scale,
      bias: at.bias,
      out: at.out,
      rows: at.rows,
      rowPop: at.rowPop,
      outWords,
      scratch: at.scratch,
    });

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
