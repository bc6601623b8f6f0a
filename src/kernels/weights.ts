/**
 * Bit packing of ±1 conv weights. Source layout is tfjs's conv2d filter layout HWIO
 * `[kernel, kernel, inChannels, outChannels]`; packed layout is one row per output channel,
 * taps in (ky, kx) order, each tap ⌈in/32⌉ words (bit 1 = −1, padding bits 0) — the same
 * order an im2col row of packed activations has, so a dot product is a run of XORs.
 */
import { UsageError } from '../util/errors.js';
import { wordsFor } from './packing.js';
import { popcount32 } from './popcount.js';

export interface WeightShape {
  kernel: number;
  inChannels: number;
  outChannels: number;
}

export interface PackedWeights extends WeightShape {
  /** Words per tap: ⌈inChannels/32⌉. */
  words: number;
  /** `data[(o·taps + t)·words + ⌊c/32⌋]`, taps = kernel². */
  data: Uint32Array;
  /**
   * Σ_c w[o, t, c] (the ±1 sum) per output channel and tap: what a tap would add if its
   * activations were all +1 — the zero-padding correction of border positions.
   */
  tapSums: Int32Array;
}

const cache = new WeakMap<ArrayLike<number>, { shape: string; packed: PackedWeights }>();

/**
 * Pack the signs of HWIO weights (sign(0) = +1). Packed once per source array: a second
 * call with the same array and shape returns the cached result, so treat weights handed
 * to the kernels as immutable.
 */
export function packWeights(hwio: ArrayLike<number>, shape: WeightShape): PackedWeights {
  const key = `${shape.kernel}/${shape.inChannels}/${shape.outChannels}`;
  const hit = cache.get(hwio);
  if (hit && hit.shape === key) return hit.packed;
  const packed = packWeightsUncached(hwio, shape);
  cache.set(hwio, { shape: key, packed });
  return packed;
}

function packWeightsUncached(hwio: ArrayLike<number>, shape: WeightShape): PackedWeights {
  const { kernel, inChannels: cin, outChannels: cout } = shape;
  for (const [name, v] of Object.entries(shape)) {
    if (!Number.isInteger(v) || v < 1) throw new UsageError(`packWeights: ${name} must be a positive integer, got ${String(v)}`);
  }
  const taps = kernel * kernel;
  if (hwio.length !== taps * cin * cout) {
    throw new UsageError(`packWeights: ${hwio.length} values do not match HWIO shape ${kernel}×${kernel}×${cin}×${cout}`);
  }
  const words = wordsFor(cin);
  const data = new Uint32Array(cout * taps * words);
  const tapSums = new Int32Array(cout * taps);
  for (let t = 0; t < taps; t++) {
    for (let c = 0; c < cin; c++) {
      for (let o = 0; o < cout; o++) {
        if (hwio[(t * cin + c) * cout + o]! < 0) data[(o * taps + t) * words + (c >>> 5)] |= 1 << (c & 31);
      }
    }
  }
  for (let o = 0; o < cout; o++) {
    for (let t = 0; t < taps; t++) {
      let negatives = 0;
      for (let j = 0; j < words; j++) negatives += popcount32(data[(o * taps + t) * words + j]!);
      tapSums[o * taps + t] = cin - 2 * negatives;
    }
  }
  return { kernel, inChannels: cin, outChannels: cout, words, data, tapSums };
}

/** The ±1 HWIO weights a packed set stands for. */
export function unpackWeights(packed: PackedWeights): Float32Array {
  const { kernel, inChannels: cin, outChannels: cout, words, data } = packed;
  const taps = kernel * kernel;
  const out = new Float32Array(taps * cin * cout);
  for (let t = 0; t < taps; t++) {
    for (let c = 0; c < cin; c++) {
      for (let o = 0; o < cout; o++) {
        out[(t * cin + c) * cout + o] = (data[(o * taps + t) * words + (c >>> 5)]! >>> (c & 31)) & 1 ? -1 : 1;
      }
    }
  }
  return out;
}
