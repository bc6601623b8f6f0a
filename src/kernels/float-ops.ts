/**
 * The full-precision pieces of a packed model (stem, BN, shortcuts, pooling, classifier) as
 * plain loops over NHWC Float32Arrays. Accuracy matters more than speed here: these run
 * once per image around the binary convs.
 */
import { UsageError } from '../util/errors.js';
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

/** Inference BatchNorm in place: y = (x − μ)·γ/√(σ² + ε) + β per channel. */
export function batchNormInPlace(x: FeatureMap, bn: BatchNormParams): FeatureMap {
  const { c, data } = x;
  const scale = new Float64Array(c);
  for (let o = 0; o < c; o++) scale[o] = bn.gamma[o]! / Math.sqrt(bn.movingVariance[o]! + bn.epsilon);
  for (let i = 0; i < data.length; i++) {
    const o = i % c;
    data[i] = (data[i]! - bn.movingMean[o]!) * scale[o]! + bn.beta[o]!;
  }
  return x;
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

/** Σ_k weights[k]·maps[k] into a new map. */
export function weightedSum(maps: readonly FeatureMap[], weights: ArrayLike<number>): FeatureMap {
  const first = maps[0]!;
  const size = first.data.length;
  const out = new Float32Array(size);
  for (let k = 0; k < maps.length; k++) {
    const src = maps[k]!.data;
    if (src.length !== size) throw new UsageError(`weighted sum: shapes ${shapeOf(first)} and ${shapeOf(maps[k]!)} differ`);
    const wk = weights[k]!;
    for (let i = 0; i < size; i++) out[i] += wk * src[i]!;
  }
  return { ...first, data: out };
}

/**
 * Walk a window×window pooling window over x: `take(to, at)` for every window position inside
 * the input (`to`, `at`: the output and input pixels' channel-0 offsets), then `done(to, count)`
 * once per output pixel with the number of positions taken.
 */
function forEachPoolWindow(
  x: FeatureMap,
  window: number,
  stride: number,
  geometry: ConvGeometry,
  take: (to: number, at: number) => void,
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
            take(to, ((b * h + iy) * w + ix) * c);
          }
        }
        done?.(to, count);
      }
    }
  }
}

/** Average pooling, TensorFlow 'same' padding; the average counts only positions inside the input. */
export function avgPoolSame(x: FeatureMap, window: number, stride: number): FeatureMap {
  const geometry = convGeometry(x.h, x.w, { kernel: window, stride, dilation: 1, padding: 'same' });
  const { n, c } = x;
  const out = new Float32Array(n * geometry.outH * geometry.outW * c);
  const acc = new Float64Array(c);
  forEachPoolWindow(
    x,
    window,
    stride,
    geometry,
    (_to, at) => {
      for (let ch = 0; ch < c; ch++) acc[ch] += x.data[at + ch]!;
    },
    (to, count) => {
      for (let ch = 0; ch < c; ch++) out[to + ch] = acc[ch]! / count;
      acc.fill(0);
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
  const out = new Float32Array(n * geometry.outH * geometry.outW * c).fill(-Infinity);
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
