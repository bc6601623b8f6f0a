/**
 * Bit packing of activations (DESIGN §5): NHWC tensors packed along channels into
 * 32-bit words, channel c → word ⌊c/32⌋, bit c mod 32. For ±1 data bit 1 means −1 and
 * bit 0 means +1 (sign(0) = +1), as in Larq Compute Engine; the unused high bits of the
 * last word are 0 in activations and weights alike, so they add nothing to a popcount.
 */
import { UsageError } from '../util/errors.js';

/** Shape of an NHWC activation tensor. */
export interface NhwcShape {
  n: number;
  h: number;
  w: number;
  c: number;
}

/** ±1 activations, one bit per channel: `data[((n·h + y)·w + x)·words + ⌊c/32⌋]`. */
export interface PackedActivations extends NhwcShape {
  /** Words per pixel: ⌈c/32⌉. */
  words: number;
  data: Uint32Array;
}

/**
 * k-bit activations as k bit planes (supplement S4.1): level q ∈ {0..2^k−1} = Σ_i 2^i·A_i,
 * plane i packed like `PackedActivations` but with bit 1 = "bit i of q is set".
 * `planes` holds the k planes one after another, each `n·h·w·words` words.
 */
export interface BitPlaneActivations extends NhwcShape {
  words: number;
  bits: number;
  planes: Uint32Array;
}

/** Words needed for `channels` bits. */
export function wordsFor(channels: number): number {
  return Math.ceil(channels / 32);
}

export function checkShape(shape: NhwcShape, length: number, what: string): void {
  for (const key of ['n', 'h', 'w', 'c'] as const) {
    const v = shape[key];
    if (!Number.isInteger(v) || v < 1) throw new UsageError(`${what}: shape.${key} must be a positive integer, got ${v}`);
  }
  const expected = shape.n * shape.h * shape.w * shape.c;
  if (length !== expected) {
    throw new UsageError(`${what}: ${length} values do not match shape ${shape.n}×${shape.h}×${shape.w}×${shape.c} (${expected})`);
  }
}

/** Pack the signs of an NHWC float or int8 tensor: bit 1 where x < 0 (−1), bit 0 where x ≥ 0 (+1). */
export function packSigns(x: ArrayLike<number>, shape: NhwcShape): PackedActivations {
  checkShape(shape, x.length, 'packSigns');
  const { c } = shape;
  const words = wordsFor(c);
  const pixels = shape.n * shape.h * shape.w;
  const data = new Uint32Array(pixels * words);
  for (let p = 0; p < pixels; p++) {
    for (let j = 0; j < words; j++) {
      // gather one word's 32 sign bits in a local before the single store
      const src = p * c + j * 32;
      const count = Math.min(32, c - j * 32);
      let bits = 0;
      for (let b = 0; b < count; b++) bits |= (x[src + b]! < 0 ? 1 : 0) << b;
      data[p * words + j] = bits;
    }
  }
  return { ...pickShape(shape), words, data };
}

/** The ±1 tensor a packed one stands for (NHWC Float32Array). */
export function unpackSigns(packed: PackedActivations): Float32Array {
  const { c, words, data } = packed;
  const pixels = packed.n * packed.h * packed.w;
  const out = new Float32Array(pixels * c);
  for (let p = 0; p < pixels; p++) {
    for (let ch = 0; ch < c; ch++) {
      out[p * c + ch] = (data[p * words + (ch >>> 5)]! >>> (ch & 31)) & 1 ? -1 : 1;
    }
  }
  return out;
}

/** Round half to even, as tf.round does, so packed levels match the tfjs quantizer bit for bit. */
export function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * The k-bit uniform quantizer's integer level (DESIGN §3): q = round(clip(x, 0, β)·(2^k−1)/β);
 * the quantized activation is q·β/(2^k−1).
 */
export function quantizeLevel(x: number, bits: number, beta: number): number {
  const levels = 2 ** bits - 1;
  const clipped = Math.min(Math.max(x, 0), beta);
  // float32 arithmetic, as the tfjs quantizer computes round(clip(x)·f32(levels/β)): ties land alike
  return roundHalfEven(Math.fround(Math.fround(clipped) * Math.fround(levels / beta)));
}

/**
 * The checked arguments of a k-bit packing of `length` floats: words per pixel, pixels, and the
 * quantizer's float32 factor (2^k−1)/β, which every engine's packing multiplies by.
 */
export function bitPlaneLayout(length: number, shape: NhwcShape, bits: number, beta: number): { words: number; pixels: number; factor: number } {
  if (!(beta > 0) || !Number.isFinite(beta)) throw new UsageError(`packBitPlanes: beta must be a finite number > 0, got ${beta}`);
  if (!Number.isInteger(bits) || bits < 1 || bits > 8) throw new UsageError(`packBitPlanes: bits must be an integer in 1..8, got ${bits}`);
  checkShape(shape, length, 'packBitPlanes');
  return { words: wordsFor(shape.c), pixels: shape.n * shape.h * shape.w, factor: Math.fround((2 ** bits - 1) / beta) };
}

/**
 * Quantize an NHWC float tensor to k bits (k = 2 or 4, clip range β) and pack it as bit planes.
 * The same levels as `quantizeLevel` (tested), computed inline: this runs on every activation
 * of a k-bit layer, so it avoids the per-element calls and the intermediate level array.
 */
export function packBitPlanes(x: ArrayLike<number>, shape: NhwcShape, bits: number, beta: number): BitPlaneActivations {
  const { words, pixels, factor } = bitPlaneLayout(x.length, shape, bits, beta);
  const { c } = shape;
  const planeWords = pixels * words;
  const planes = new Uint32Array(bits * planeWords);
  const acc = new Uint32Array(bits);
  for (let p = 0; p < pixels; p++) {
    for (let j = 0; j < words; j++) {
      const src = p * c + j * 32;
      const count = Math.min(32, c - j * 32);
      acc.fill(0);
      for (let b = 0; b < count; b++) {
        const v = Math.fround(Math.fround(Math.min(Math.max(x[src + b]!, 0), beta)) * factor);
        // round half to even (v ≥ 0)
        let q = Math.floor(v + 0.5);
        if (q - v === 0.5 && (q & 1) === 1) q -= 1;
        for (let i = 0; i < bits; i++) acc[i]! |= ((q >>> i) & 1) << b;
      }
      for (let i = 0; i < bits; i++) planes[i * planeWords + p * words + j] = acc[i]!;
    }
  }
  return { ...pickShape(shape), words, bits, planes };
}

/** Pack integer levels q ∈ {0..2^bits−1} (NHWC) as bit planes. */
export function packLevels(levels: ArrayLike<number>, shape: NhwcShape, bits: number): BitPlaneActivations {
  checkShape(shape, levels.length, 'packLevels');
  if (!Number.isInteger(bits) || bits < 1 || bits > 8) throw new UsageError(`packLevels: bits must be an integer in 1..8, got ${bits}`);
  const { c } = shape;
  const words = wordsFor(c);
  const pixels = shape.n * shape.h * shape.w;
  const planeWords = pixels * words;
  const planes = new Uint32Array(bits * planeWords);
  const max = 2 ** bits - 1;
  for (let p = 0; p < pixels; p++) {
    for (let ch = 0; ch < c; ch++) {
      const q = levels[p * c + ch]!;
      if (!Number.isInteger(q) || q < 0 || q > max) throw new UsageError(`packLevels: level ${q} at index ${p * c + ch} is not an integer in 0..${max}`);
      for (let i = 0; i < bits; i++) {
        if ((q >>> i) & 1) planes[i * planeWords + p * words + (ch >>> 5)] |= 1 << (ch & 31);
      }
    }
  }
  return { ...pickShape(shape), words, bits, planes };
}

/** The integer levels a bit-plane tensor stands for (NHWC). */
export function unpackLevels(packed: BitPlaneActivations): Uint8Array {
  const { c, words, bits, planes } = packed;
  const pixels = packed.n * packed.h * packed.w;
  const planeWords = pixels * words;
  const out = new Uint8Array(pixels * c);
  for (let p = 0; p < pixels; p++) {
    for (let ch = 0; ch < c; ch++) {
      let q = 0;
      for (let i = 0; i < bits; i++) q |= ((planes[i * planeWords + p * words + (ch >>> 5)]! >>> (ch & 31)) & 1) << i;
      out[p * c + ch] = q;
    }
  }
  return out;
}

function pickShape(s: NhwcShape): NhwcShape {
  return { n: s.n, h: s.h, w: s.w, c: s.c };
}
