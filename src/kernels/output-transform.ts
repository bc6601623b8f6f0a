/**
 * The per-channel output transform of a binary conv (DESIGN §5): the exact integer dot
 * product d of a channel becomes y = d·scale + bias, one multiply-add that folds
 * the weight scale α, the input scale (β/(2^k−1) for k-bit activations), inference-mode
 * BatchNorm and the base weight λ of a multi-base sum.
 */
import { UsageError } from '../util/errors.js';

export interface ChannelAffine {
  scale: Float32Array;
  bias: Float32Array;
}

export interface BatchNormParams {
  gamma: ArrayLike<number>;
  beta: ArrayLike<number>;
  movingMean: ArrayLike<number>;
  movingVariance: ArrayLike<number>;
  epsilon: number;
}

export interface OutputTransformParts {
  channels: number;
  /** Per-output-channel weight scale α (mean |W|); 1 when absent. */
  alpha?: ArrayLike<number>;
  /** The conv's scale s_j in a layer-wise decomposed (LBD) sum Σ_j s_j·conv_j; 1 when absent. */
  baseScale?: number;
  /** Scale of the input levels: 1 for ±1 activations, β/(2^k−1) for k-bit ones. */
  inputScale?: number;
  /** Bias of the conv itself (before BN). */
  convBias?: ArrayLike<number>;
  batchNorm?: BatchNormParams;
  /** Base weight λ of a multi-base sum, applied last. */
  lambda?: number;
}

/**
 * Fold conv → (+bias) → BN → ×λ into one affine map per channel, y = d·S + T, in float32 one
 * rounded op at a time in the order src/nn's binary-unit inference (binaryUnitInference) uses,
 * so that S and T — and with them every output — are bit-identical to the tfjs model's:
 *
 *   inv = γ / √(σ² + ε);   S = ((α·s_j)·step)·inv;   T = β − μ·inv
 *
 * (a conv bias b enters as T = β − (μ − b)·inv; λ multiplies S and T last).
 */
export function foldOutputTransform(parts: OutputTransformParts): ChannelAffine {
  const { channels } = parts;
  if (!Number.isInteger(channels) || channels < 1) throw new UsageError(`output transform: channels must be a positive integer, got ${channels}`);
  const check = (name: string, v: ArrayLike<number> | undefined): void => {
    if (v && v.length !== channels) throw new UsageError(`output transform: ${name} has ${v.length} values, expected ${channels}`);
  };
  check('alpha', parts.alpha);
  check('convBias', parts.convBias);
  if (parts.batchNorm) {
    for (const key of ['gamma', 'beta', 'movingMean', 'movingVariance'] as const) check(`batchNorm.${key}`, parts.batchNorm[key]);
  }
  const f = Math.fround;
  const inputScale = f(parts.inputScale ?? 1);
  const scale = new Float32Array(channels);
  const bias = new Float32Array(channels);
  const bn = parts.batchNorm;
  const epsilon = bn ? f(bn.epsilon) : 0;
  for (let o = 0; o < channels; o++) {
    let a = parts.alpha ? f(parts.alpha[o]!) : 1;
    if (parts.baseScale !== undefined) a = f(a * f(parts.baseScale));
    let s = f(a * inputScale);
    let b = parts.convBias ? f(parts.convBias[o]!) : 0;
    if (bn) {
      const inv = f(bn.gamma[o]! / f(Math.sqrt(f(bn.movingVariance[o]! + epsilon))));
      s = f(s * inv);
      b = f(bn.beta[o]! - f(f(bn.movingMean[o]! - b) * inv));
    }
    if (parts.lambda !== undefined) {
      s = f(s * parts.lambda);
      b = f(b * parts.lambda);
    }
    scale[o] = s;
    bias[o] = b;
  }
  return { scale, bias };
}

/** Check an affine has one scale and bias per channel. */
export function checkAffine(transform: ChannelAffine, channels: number): void {
  if (transform.scale.length !== channels || transform.bias.length !== channels) {
    throw new UsageError(`output transform: expected ${channels} scales and biases, got ${transform.scale.length} and ${transform.bias.length}`);
  }
}

/**
 * y[p, o] = d[p, o]·scale[o] + bias[o] over channel-last data, computed in float32 as the
 * wasm engine does (so both engines agree bit for bit); with `accumulate`, added into it.
 */
export function applyOutputTransform(dots: ArrayLike<number>, transform: ChannelAffine, accumulate?: Float32Array): Float32Array {
  const channels = transform.scale.length;
  checkAffine(transform, channels);
  if (dots.length % channels !== 0) throw new UsageError(`output transform: ${dots.length} values are not a whole number of ${channels}-channel pixels`);
  if (accumulate && accumulate.length !== dots.length)
    throw new UsageError(`output transform: accumulator has ${accumulate.length} values, expected ${dots.length}`);
  const out = accumulate ?? new Float32Array(dots.length);
  for (let i = 0; i < dots.length; i++) {
    const o = i % channels;
    const y = Math.fround(Math.fround(dots[i]! * transform.scale[o]!) + transform.bias[o]!);
    out[i] = accumulate ? Math.fround(out[i]! + y) : y;
  }
  return out;
}

/** Multi-base sum y = Σ_k λ_k·x_k of K same-shaped base outputs. */
export function multiBaseSum(parts: readonly Float32Array[], lambdas: ArrayLike<number>): Float32Array {
  checkLambdas(parts, lambdas);
  return mixBases(parts, lambdas)[0]!;
}

export function checkLambdas(parts: readonly Float32Array[], lambdas: ArrayLike<number>): void {
  if (parts.length === 0 || parts.length !== lambdas.length) {
    throw new UsageError(`multi-base sum: need one λ per base and at least one base, got ${parts.length} bases and ${lambdas.length} λ`);
  }
}

/** Check the operands of a base mix; returns (bases K, outputs J, map size). */
export function checkMix(parts: readonly Float32Array[], mix: ArrayLike<number>): { from: number; to: number; size: number } {
  const from = parts.length;
  if (from === 0 || mix.length === 0 || mix.length % from !== 0) {
    throw new UsageError(`multi-base sum: need at least one base and a whole row of weights per output, got ${from} bases and ${mix.length} weights`);
  }
  const size = parts[0]!.length;
  parts.forEach((part, k) => {
    if (part.length !== size) throw new UsageError(`multi-base sum: base ${k} has ${part.length} values, base 0 has ${size}`);
  });
  return { from, to: mix.length / from, size };
}

/**
 * out_j = Σ_k mix[j·K + k]·x_k: Group-Net's soft connection (one row: the multi-base sum), in
 * float32 from 0 in base order, each product rounded — as the wasm engine and tfjs (mul, addN) do.
 */
export function mixBases(parts: readonly Float32Array[], mix: ArrayLike<number>): Float32Array[] {
  const { from, to, size } = checkMix(parts, mix);
  return Array.from({ length: to }, (_, j) => {
    const out = new Float32Array(size);
    for (let k = 0; k < from; k++) {
      const src = parts[k]!;
      const w = mix[j * from + k]!;
      for (let i = 0; i < size; i++) out[i] = out[i]! + Math.fround(w * src[i]!);
    }
    return out;
  });
}
