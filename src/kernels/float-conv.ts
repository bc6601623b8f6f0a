/**
 * A plain float conv (NHWC input, HWIO filter, zero padding, TensorFlow geometry): the
 * reference the binary engines must equal on ±1 data, and the full-precision stem of the
 * packed inference engine. Accumulates in float32 over taps (ky, kx) then input channels, each
 * product rounded — the order of the wasm and native engines and of tfjs-wasm's XNNPACK conv, so
 * all of them agree bit for bit (and exactly, on ±1 or small-integer data).
 */
import { UsageError } from '../util/errors.js';
import { convGeometry, type ConvSpec } from './conv-spec.js';
import { checkShape, type NhwcShape } from './packing.js';
import type { ConvResult } from './engine.js';

/** Operands of an engine's floatConv: x fills `shape`, the filter is kernel²·c·outChannels (outChannels ≥ 1). */
export function checkFloatConvOperands(x: ArrayLike<number>, shape: NhwcShape, filter: ArrayLike<number>, outChannels: number, spec: ConvSpec): void {
  checkShape(shape, x.length, 'floatConv');
  const k = spec.kernel;
  if (!Number.isInteger(outChannels) || outChannels < 1 || filter.length !== k * k * shape.c * outChannels) {
    throw new UsageError(`floatConv: filter has ${filter.length} values, expected ${k}×${k}×${shape.c}×${outChannels}`);
  }
}

export function floatConv2d(x: ArrayLike<number>, shape: NhwcShape, filter: ArrayLike<number>, outChannels: number, spec: ConvSpec): ConvResult<Float32Array> {
  checkShape(shape, x.length, 'floatConv2d');
  const { n, h, w, c } = shape;
  const k = spec.kernel;
  if (filter.length !== k * k * c * outChannels) {
    throw new UsageError(`floatConv2d: filter has ${filter.length} values, expected ${k}×${k}×${c}×${outChannels}`);
  }
  const { outH, outW, padTop, padLeft } = convGeometry(h, w, spec);
  const out = new Float32Array(n * outH * outW * outChannels);
  const acc = new Float32Array(outChannels);
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        acc.fill(0);
        for (let ky = 0; ky < k; ky++) {
          const iy = oy * spec.stride - padTop + ky * spec.dilation;
          if (iy < 0 || iy >= h) continue;
          for (let kx = 0; kx < k; kx++) {
            const ix = ox * spec.stride - padLeft + kx * spec.dilation;
            if (ix < 0 || ix >= w) continue;
            for (let ci = 0; ci < c; ci++) {
              const v = x[((b * h + iy) * w + ix) * c + ci]!;
              if (v === 0) continue;
              const f = ((ky * k + kx) * c + ci) * outChannels;
              for (let o = 0; o < outChannels; o++) acc[o] = acc[o]! + Math.fround(v * filter[f + o]!);
            }
          }
        }
        out.set(acc, ((b * outH + oy) * outW + ox) * outChannels);
      }
    }
  }
  return { n, h: outH, w: outW, c: outChannels, data: out };
}
