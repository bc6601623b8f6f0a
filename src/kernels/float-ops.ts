/**
 * The full-precision pieces of a packed model (stem, BN, shortcuts, pooling, classifier) as
 * plain loops over NHWC Float32Arrays. Everything that can feed a later activation quantizer is
 * computed in float32 in the exact op order of the tfjs model on the wasm backend (the project's
 * BatchNorm kernel, XNNPACK's average pool, mul + addN): a k-bit level is a rounding, and one ulp
 * off at its edge moves it a whole step. Only the head (global pool, classifier) is free.
 */
import { bilinearWeights } from '../util/bilinear-weights.js';
import { UsageError } from '../util/errors.js';
import { scratchFloat32 } from './buffer-arena.js';
import { convGeometry, type ConvGeometry } from './conv-spec.js';
import type { BatchNormParams } from './output-transform.js';

/** An NHWC activation tensor. */
export interface FeatureMap {
  n: number;
  h: number;
  w: number;
  c: number;
  data: Float32Array;
}

/**
 * Inference BatchNorm in place as the wasm backend's FusedBatchNorm (src/backend/kernels/batch-norm.ts)
 * computes it: y = x·s + t in float32, s = γ/√(σ² + ε) and t = β − μ·(γ/√(σ² + ε)) folded in
 * float64 and rounded once.
 */
export function batchNormInPlace(x: FeatureMap, bn: BatchNormParams): FeatureMap {
  const { c, data } = x;
  const { scale, shift } = foldBatchNorm(bn);
  for (let i = 0; i < data.length; i++) {
    const o = i % c;
    data[i] = Math.fround(data[i]! * scale[o]!) + shift[o]!;
  }
  return x;
}

/** The per-channel s and t of inference BatchNorm y = x·s + t, folded in float64 and rounded once (as the wasm kernel). */
export function foldBatchNorm(bn: BatchNormParams): { scale: Float32Array; shift: Float32Array } {
  const c = bn.gamma.length;
  const scale = new Float32Array(c);
  const shift = new Float32Array(c);
  for (let o = 0; o < c; o++) {
    const k = bn.gamma[o]! / Math.sqrt(bn.movingVariance[o]! + bn.epsilon);
    scale[o] = k;
    shift[o] = bn.beta[o]! - bn.movingMean[o]! * k;
  }
  return { scale, shift };
}

export function reluInPlace(x: FeatureMap): FeatureMap {
  const d = x.data;
  for (let i = 0; i < d.length; i++) if (!(d[i]! > 0)) d[i] = 0;
  return x;
}

/** a += b (same shape). */
export function addInPlace(a: FeatureMap, b: FeatureMap): FeatureMap {
  if (a.data.length !== b.data.length) throw new UsageError(`add: shapes ${shapeOf(a)} and ${shapeOf(b)} differ`);
  for (let i = 0; i < a.data.length; i++) a.data[i] = a.data[i]! + b.data[i]!;
  return a;
}

/**
 * Walk a window×window pooling window over x: `take(to, at, ky, kx)` for every window position
 * inside the input (`to`, `at`: the output and input pixels' channel-0 offsets), then `done(to, count)`
 * once per output pixel with the number of positions taken.
 */
function forEachPoolWindow(
  x: FeatureMap,
  window: number,
  stride: number,
  geometry: ConvGeometry,
  take: (to: number, at: number, ky: number, kx: number) => void,
  done?: (to: number, count: number) => void,
): void {
  const { outH, outW, padTop, padLeft } = geometry;
  const { n, h, w, c } = x;
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        const to = ((b * outH + oy) * outW + ox) * c;
        let count = 0;
        for (let ky = 0; ky < window; ky++) {
          const iy = oy * stride - padTop + ky;
          if (iy < 0 || iy >= h) continue;
          for (let kx = 0; kx < window; kx++) {
            const ix = ox * stride - padLeft + kx;
            if (ix < 0 || ix >= w) continue;
            count++;
            take(to, ((b * h + iy) * w + ix) * c, ky, kx);
          }
        }
        done?.(to, count);
      }
    }
  }
}

/**
 * Average pooling, TensorFlow 'same' padding; the average counts only positions inside the input.
 * Summed as tfjs-wasm's XNNPACK kernel does, so the result is bit-identical: up to 9 taps in
 * column-major order i0..i8 (padded taps 0), ((i2+i3)+(i4+i5)) + (((i0+i1)+i8)+(i6+i7)) in
 * float32, times the float32 1/count.
 */
export function avgPoolSame(x: FeatureMap, window: number, stride: number): FeatureMap {
  if (window * window > 9) throw new UsageError(`average pool: window ${window}×${window} has more than 9 taps (only up to 3×3 is supported)`);
  const geometry = convGeometry(x.h, x.w, { kernel: window, stride, dilation: 1, padding: 'same' });
  const { n, c } = x;
  const f = Math.fround;
  const out = scratchFloat32(n * geometry.outH * geometry.outW * c);
  const taps: number[] = [];
  forEachPoolWindow(
    x,
    window,
    stride,
    geometry,
    (_to, at, ky, kx) => (taps[kx * window + ky] = at),
    (to, count) => {
      const inverse = f(1 / count);
      const v = (i: number, ch: number): number => (taps[i] === undefined ? 0 : x.data[taps[i]! + ch]!);
      for (let ch = 0; ch < c; ch++) {
        const right = f(f(v(2, ch) + v(3, ch)) + f(v(4, ch) + v(5, ch)));
        const left = f(f(f(v(0, ch) + v(1, ch)) + v(8, ch)) + f(v(6, ch) + v(7, ch)));
        out[to + ch] = f(f(right + left) * inverse);
      }
      taps.length = 0;
    },
  );
  return { n, h: geometry.outH, w: geometry.outW, c, data: out };
}

/**
 * Max pooling as nn's stem pool: an odd window pads (k−1)/2 on every side, an even one pads
 * TensorFlow 'same'; padded positions never win (they are −∞, not 0).
 */
export function maxPool(x: FeatureMap, window: number, stride: number): FeatureMap {
  const padding = window % 2 === 1 ? 'symmetric' : 'same';
  const geometry = convGeometry(x.h, x.w, { kernel: window, stride, dilation: 1, padding });
  const { n, c } = x;
  const out = scratchFloat32(n * geometry.outH * geometry.outW * c).fill(-Infinity);
  forEachPoolWindow(x, window, stride, geometry, (to, at) => {
    for (let ch = 0; ch < c; ch++) if (x.data[at + ch]! > out[to + ch]!) out[to + ch] = x.data[at + ch]!;
  });
  return { n, h: geometry.outH, w: geometry.outW, c, data: out };
}

/** Global average pool: [n, h, w, c] → [n, c]. */
export function globalAvgPool(x: FeatureMap): Float32Array {
  const { n, h, w, c } = x;
  const out = new Float32Array(n * c);
  const acc = new Float64Array(c);
  for (let b = 0; b < n; b++) {
    acc.fill(0);
    for (let p = 0; p < h * w; p++) {
      const at = (b * h * w + p) * c;
      for (let ch = 0; ch < c; ch++) acc[ch] += x.data[at + ch]!;
    }
    for (let ch = 0; ch < c; ch++) out[b * c + ch] = acc[ch]! / (h * w);
  }
  return out;
}

/** Fully connected: x [n, in] · weight [in, out] + bias [out]. */
export function dense(x: Float32Array, n: number, weight: Float32Array, bias: Float32Array, inFeatures: number, outFeatures: number): Float32Array {
  if (x.length !== n * inFeatures || weight.length !== inFeatures * outFeatures || bias.length !== outFeatures) {
    throw new UsageError(`dense: expected x [${n}, ${inFeatures}], weight [${inFeatures}, ${outFeatures}], bias [${outFeatures}]`);
  }
  const out = new Float32Array(n * outFeatures);
  for (let b = 0; b < n; b++) {
    for (let o = 0; o < outFeatures; o++) {
      let s = bias[o]!;
      for (let i = 0; i < inFeatures; i++) s += x[b * inFeatures + i]! * weight[i * outFeatures + o]!;
      out[b * outFeatures + o] = s;
    }
  }
  return out;
}

function shapeOf(x: FeatureMap): string {
  return `[${x.n}, ${x.h}, ${x.w}, ${x.c}]`;
}

/** The mean of same-shaped maps, as tfjs's addN then div: a float32 running sum in order, then one division. */
export function meanOfMaps(maps: readonly FeatureMap[]): FeatureMap {
  const first = maps[0]!;
  if (maps.length === 1) return first;
  const out = scratchFloat32(first.data.length);
  for (let i = 0; i < out.length; i++) {
    let s = first.data[i]!;
    for (let k = 1; k < maps.length; k++) s = Math.fround(s + maps[k]!.data[i]!);
    out[i] = Math.fround(s / maps.length);
  }
  return { ...first, data: out };
}

/**
 * Bilinear resize to height × width with the weights of util/bilinear-weights.ts, columns first
 * then rows, as nn's upsampleBilinear (identity when the size already matches).
 */
export function resizeBilinear(x: FeatureMap, height: number, width: number): FeatureMap {
  const { n, h, w, c } = x;
  if (h === height && w === width) return x;
  const cols = bilinearWeights(w, width);
  const rows = bilinearWeights(h, height);
  const wide = new Float32Array(n * h * width * c);
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < h; y++) {
      for (let ox = 0; ox < width; ox++) {
        const out = ((b * h + y) * width + ox) * c;
        for (let ix = 0; ix < w; ix++) {
          const weight = cols[ox * w + ix]!;
          if (weight === 0) continue;
          const at = ((b * h + y) * w + ix) * c;
          for (let ch = 0; ch < c; ch++) wide[out + ch] = Math.fround(wide[out + ch]! + weight * x.data[at + ch]!);
        }
      }
    }
  }
  const tall = new Float32Array(n * height * width * c);
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < height; oy++) {
      for (let iy = 0; iy < h; iy++) {
        const weight = rows[oy * h + iy]!;
        if (weight === 0) continue;
        for (let x0 = 0; x0 < width * c; x0++) {
          const out = (b * height + oy) * width * c + x0;
          tall[out] = Math.fround(tall[out]! + weight * wide[(b * h + iy) * width * c + x0]!);
        }
      }
    }
  }
  return { n, h: height, w: width, c, data: tall };
}

/** The arrays one after the other in one array (the logits of a batch's slices, in order). */
export function concatFloat32(parts: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((total, p) => total + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
