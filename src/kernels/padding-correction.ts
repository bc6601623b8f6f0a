/**
 * Exact zero padding for packed ±1 convs (DESIGN §5, as LCE's zero-padding correction).
 * A bit cannot encode 0, so an im2col row holds bits 0 (= +1) at padded taps and the XOR
 * popcount then computes Σ over *all* taps with a = +1 at the padded ones. The float conv
 * adds 0 there instead, so the exact dot product is
 *   d = K − 2·popcount(a XOR w) − Σ_{padded taps t} tapSum[o][t],
 * K = kernel²·C. Which taps are padded depends only on the output row's class (set of
 * kernel rows that fall outside) and the column's class, so one table row of
 * `base = K − Σ tapSum` per (row class, column class) serves every output position.
 */
import type { ConvGeometry, ConvSpec } from './conv-spec.js';
import type { PackedWeights } from './weights.js';

export interface PaddingCorrection {
  /** Class of each output row (index into the row masks). */
  rowClass: Int32Array;
  /** Class of each output column. */
  colClass: Int32Array;
  colClasses: number;
  /** `base[(rowClass·colClasses + colClass)·channelStride + o]` = K − Σ tapSum over padded taps. */
  base: Int32Array;
}

/** For each output index, the bitmask of kernel offsets that land outside [0, size); grouped into classes. */
function classify(outSize: number, size: number, pad: number, spec: ConvSpec): { classOf: Int32Array; masks: number[] } {
  const classOf = new Int32Array(outSize);
  const masks: number[] = [];
  const index = new Map<number, number>();
  for (let o = 0; o < outSize; o++) {
    let mask = 0;
    for (let k = 0; k < spec.kernel; k++) {
      const i = o * spec.stride - pad + k * spec.dilation;
      if (i < 0 || i >= size) mask |= 1 << k;
    }
    let cls = index.get(mask);
    if (cls === undefined) {
      cls = masks.length;
      masks.push(mask);
      index.set(mask, cls);
    }
    classOf[o] = cls;
  }
  return { classOf, masks };
}

/** Build the table for a conv of `weights` over an h×w input; `channelStride` ≥ outChannels pads each row. */
export function paddingCorrection(
  weights: PackedWeights,
  h: number,
  w: number,
  spec: ConvSpec,
  geometry: ConvGeometry,
  channelStride: number,
): PaddingCorrection {
  const rows = classify(geometry.outH, h, geometry.padTop, spec);
  const cols = classify(geometry.outW, w, geometry.padLeft, spec);
  const { kernel: k, inChannels, outChannels, tapSums } = weights;
  const taps = k * k;
  const K = taps * inChannels;
  const base = new Int32Array(rows.masks.length * cols.masks.length * channelStride);
  rows.masks.forEach((rowMask, rc) => {
    cols.masks.forEach((colMask, cc) => {
      const row = (rc * cols.masks.length + cc) * channelStride;
      for (let o = 0; o < outChannels; o++) {
        let padded = 0;
        for (let ky = 0; ky < k; ky++) {
          for (let kx = 0; kx < k; kx++) {
            if ((rowMask >>> ky) & 1 || (colMask >>> kx) & 1) padded += tapSums[o * taps + ky * k + kx]!;
          }
        }
        base[row + o] = K - padded;
      }
    });
  });
  return { rowClass: rows.classOf, colClass: cols.classOf, colClasses: cols.masks.length, base };
}
