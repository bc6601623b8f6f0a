/**
 * The reference engine: direct loops over output pixels, channels and taps, skipping taps
 * that fall in the zero padding. Written to be obviously correct, not fast; the other
 * engines are tested against it and against a float conv.
 */
import { UsageError } from '../util/errors.js';
import { convGeometry, type ConvSpec } from './conv-spec.js';
import type { BinaryEngine, ConvResult } from './engine.js';
import { floatConv2d } from './float-conv.js';
import { applyOutputTransform, checkAffine, mixBases, multiBaseSum, type ChannelAffine } from './output-transform.js';
import { packBitPlanes, packSigns, type BitPlaneActivations, type NhwcShape, type PackedActivations } from './packing.js';
import { popcount32 } from './popcount.js';
import type { PackedWeights } from './weights.js';

/** The input's channels and the spec's kernel must be the weights'. */
export function checkConvOperands(input: NhwcShape & { words: number }, weights: PackedWeights, spec: ConvSpec): void {
  if (input.c !== weights.inChannels) {
    throw new UsageError(`binary conv: input has ${input.c} channels, weights expect ${weights.inChannels}`);
  }
  if (weights.kernel !== spec.kernel)
    throw new UsageError(`binary conv: weights are ${weights.kernel}×${weights.kernel}, spec says ${spec.kernel}×${spec.kernel}`);
}

/** Σ over taps of f(tap, input word offset, weight word offset) for every output position: the shared loop nest. */
function directConv(
  input: NhwcShape & { words: number },
  weights: PackedWeights,
  spec: ConvSpec,
  tapDot: (inputOffset: number, weightOffset: number) => number,
): ConvResult<Int32Array> {
  checkConvOperands(input, weights, spec);
  const { outH, outW, padTop, padLeft } = convGeometry(input.h, input.w, spec);
  const { n, h, w, words } = input;
  const { kernel: k, outChannels: cout } = weights;
  const out = new Int32Array(n * outH * outW * cout);
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        for (let o = 0; o < cout; o++) {
          let sum = 0;
          for (let ky = 0; ky < k; ky++) {
            const iy = oy * spec.stride - padTop + ky * spec.dilation;
            if (iy < 0 || iy >= h) continue; // zero padding: contributes nothing
            for (let kx = 0; kx < k; kx++) {
              const ix = ox * spec.stride - padLeft + kx * spec.dilation;
              if (ix < 0 || ix >= w) continue;
              sum += tapDot(((b * h + iy) * w + ix) * words, (o * k * k + ky * k + kx) * words);
            }
          }
          out[((b * outH + oy) * outW + ox) * cout + o] = sum;
        }
      }
    }
  }
  return { n, h: outH, w: outW, c: cout, data: out };
}

export class JsEngine implements BinaryEngine {
  readonly name = 'js' as const;

  convDots(input: PackedActivations, weights: PackedWeights, spec: ConvSpec): ConvResult<Int32Array> {
    const a = input.data;
    const wd = weights.data;
    const { words, c } = input;
    // One tap: C − 2·popcount(a XOR w); padding bits are 0 on both sides so they cancel.
    return directConv(input, weights, spec, (ai, wi) => {
      let differing = 0;
      for (let j = 0; j < words; j++) differing += popcount32(a[ai + j]! ^ wd[wi + j]!);
      return c - 2 * differing;
    });
  }

  conv(input: PackedActivations, weights: PackedWeights, spec: ConvSpec, transform: ChannelAffine, accumulate?: Float32Array): ConvResult<Float32Array> {
    checkAffine(transform, weights.outChannels);
    const dots = this.convDots(input, weights, spec);
    return { ...dots, data: applyOutputTransform(dots.data, transform, accumulate) };
  }

  convSign(input: PackedActivations, weights: PackedWeights, spec: ConvSpec, transform: ChannelAffine): PackedActivations {
    const y = this.conv(input, weights, spec, transform);
    return packSigns(y.data, y);
  }

  bitPlaneConvDots(input: BitPlaneActivations, weights: PackedWeights, spec: ConvSpec): ConvResult<Int32Array> {
    const { planes, bits, words } = input;
    const wd = weights.data;
    const planeWords = input.n * input.h * input.w * words;
    // One tap: Σ_i 2^i·(popcount(A_i) − 2·popcount(A_i AND W)) = Σ_c q_c·w_c (W's bit 1 = −1).
    return directConv(input, weights, spec, (ai, wi) => {
      let sum = 0;
      for (let i = 0; i < bits; i++) {
        let set = 0;
        let setAndNegative = 0;
        for (let j = 0; j < words; j++) {
          const plane = planes[i * planeWords + ai + j]!;
          set += popcount32(plane);
          setAndNegative += popcount32(plane & wd[wi + j]!);
        }
        sum += (set - 2 * setAndNegative) * 2 ** i;
      }
      return sum;
    });
  }

  bitPlaneConv(
    input: BitPlaneActivations,
    weights: PackedWeights,
    spec: ConvSpec,
    transform: ChannelAffine,
    accumulate?: Float32Array,
  ): ConvResult<Float32Array> {
    checkAffine(transform, weights.outChannels);
    const dots = this.bitPlaneConvDots(input, weights, spec);
    return { ...dots, data: applyOutputTransform(dots.data, transform, accumulate) };
  }

  floatConv(x: Float32Array, shape: NhwcShape, filter: Float32Array, outChannels: number, spec: ConvSpec): ConvResult<Float32Array> {
    return floatConv2d(x, shape, filter, outChannels, spec);
  }

  outputTransform(dots: Int32Array, transform: ChannelAffine, accumulate?: Float32Array): Float32Array {
    return applyOutputTransform(dots, transform, accumulate);
  }

  packSigns(x: Float32Array, shape: NhwcShape): PackedActivations {
    return packSigns(x, shape);
  }

  packBitPlanes(x: Float32Array, shape: NhwcShape, bits: number, beta: number): BitPlaneActivations {
    return packBitPlanes(x, shape, bits, beta);
  }

  multiBaseSum(parts: readonly Float32Array[], lambdas: ArrayLike<number>): Float32Array {
    return multiBaseSum(parts, lambdas);
  }

  mixBases(parts: readonly Float32Array[], mix: ArrayLike<number>): Float32Array[] {
    return mixBases(parts, mix);
  }

  gemm(a: Uint32Array, b: Uint32Array, m: number, n: number, kBits: number): Int32Array {
    const words = checkGemm(a, b, m, n, kBits);
    const out = new Int32Array(m * n);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let differing = 0;
        for (let q = 0; q < words; q++) differing += popcount32(a[i * words + q]! ^ b[j * words + q]!);
        out[i * n + j] = kBits - 2 * differing;
      }
    }
    return out;
  }
}

/** Validate GEMM operands; returns words per row. */
export function checkGemm(a: Uint32Array, b: Uint32Array, m: number, n: number, kBits: number): number {
  for (const [name, v] of [
    ['m', m],
    ['n', n],
    ['kBits', kBits],
  ] as const) {
    if (!Number.isInteger(v) || v < 1) throw new UsageError(`binary gemm: ${name} must be a positive integer, got ${v}`);
  }
  const words = Math.ceil(kBits / 32);
  if (a.length !== m * words) throw new UsageError(`binary gemm: a has ${a.length} words, expected ${m}×${words}`);
  if (b.length !== n * words) throw new UsageError(`binary gemm: b has ${b.length} words, expected ${n}×${words}`);
  return words;
}
