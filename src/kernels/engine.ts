/**
 * One interface, several engines (DESIGN §5), like a tfjs op with per-backend kernels:
 * `js` is the reference, written to be obviously correct; `wasm` runs the same math in
 * WebAssembly SIMD128; `native` runs it in a Node-API addon (native/) with AVX-512, AVX2 or
 * scalar popcount chosen at run time. Engines take typed arrays, never tensors.
 */
import type { BitPlaneActivations, NhwcShape, PackedActivations } from './packing.js';
import type { PackedWeights } from './weights.js';
import type { ConvSpec } from './conv-spec.js';
import type { ChannelAffine } from './output-transform.js';

export type EngineName = 'js' | 'wasm' | 'native';

/** Output spatial size and channels of a conv result (NHWC, channel-last). */
export interface ConvOutputShape {
  n: number;
  h: number;
  w: number;
  c: number;
}

export interface ConvResult<T> extends ConvOutputShape {
  data: T;
}

export interface BinaryEngine {
  readonly name: EngineName;

  /**
   * Binary conv of ±1 activations with ±1 weights: the exact integer Σ a·w over the real
   * channels and taps; zero-padded taps contribute 0, exactly as in a float conv.
   */
  convDots(input: PackedActivations, weights: PackedWeights, spec: ConvSpec): ConvResult<Int32Array>;

  /**
   * Binary conv followed by the per-channel transform y = d·scale + bias; with `accumulate`
   * (same shape) the result is added into it and returned — the multi-base sum with λ folded in.
   */
  conv(input: PackedActivations, weights: PackedWeights, spec: ConvSpec, transform: ChannelAffine, accumulate?: Float32Array): ConvResult<Float32Array>;

  /** Binary conv, transform, then sign, packed for the next binary layer (bit 1 where y < 0). */
  convSign(input: PackedActivations, weights: PackedWeights, spec: ConvSpec, transform: ChannelAffine): PackedActivations;

  /** k-bit activations (bit planes) × ±1 weights: the exact integer Σ q·w, q the levels 0..2^k−1. */
  bitPlaneConvDots(input: BitPlaneActivations, weights: PackedWeights, spec: ConvSpec): ConvResult<Int32Array>;

  /** Bit-plane conv with the output transform (fold β/(2^k−1) into the scale); optional accumulate. */
  bitPlaneConv(
    input: BitPlaneActivations,
    weights: PackedWeights,
    spec: ConvSpec,
    transform: ChannelAffine,
    accumulate?: Float32Array,
  ): ConvResult<Float32Array>;

  /**
   * Binary GEMM: rows of `a` (m × words) against rows of `b` (n × words), both packed with
   * `kBits` real bits per row; returns the m×n ±1 dot products K − 2·popcount(a XOR b).
   */
  gemm(a: Uint32Array, b: Uint32Array, m: number, n: number, kBits: number): Int32Array;

  /**
   * Full-precision conv (stem, projection shortcuts, full-precision groups): float32 NHWC
   * input, HWIO filter, zero padding. Not bit-exact across engines (summation order differs).
   */
  floatConv(x: Float32Array, shape: NhwcShape, filter: Float32Array, outChannels: number, spec: ConvSpec): ConvResult<Float32Array>;

  /** The per-channel output transform y = d·scale + bias of integer dot products (channel-last); optional accumulate. */
  outputTransform(dots: Int32Array, transform: ChannelAffine, accumulate?: Float32Array): Float32Array;

  /** Pack the signs of an NHWC float32 tensor for the next binary conv (bit 1 where x < 0). */
  packSigns(x: Float32Array, shape: NhwcShape): PackedActivations;

  /** Quantize an NHWC float32 tensor to `bits`-bit levels (clip range β) as bit planes: packing.ts packBitPlanes' bits. */
  packBitPlanes(x: Float32Array, shape: NhwcShape, bits: number, beta: number): BitPlaneActivations;

  /** The aggregate y = Σ_k λ_k·x_k of same-sized base outputs: `mixBases` with the one row λ (one λ per base). */
  multiBaseSum(parts: readonly Float32Array[], lambdas: ArrayLike<number>): Float32Array;

  /** Base mixing (Group-Net's soft connection; nn's mixBases): out_j = Σ_k mix[j·K + k]·x_k for j < mix.length / K. */
  mixBases(parts: readonly Float32Array[], mix: ArrayLike<number>): Float32Array[];
}
