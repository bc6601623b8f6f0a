/**
 * Bilinear resampling along one axis as an `outSize × inSize` matrix, with PyTorch's
 * `align_corners=False` geometry (half-pixel centres): output i reads the input at
 * s = (i + ½)·in/out − ½, clamped to ≥ 0, blending samples ⌊s⌋ and ⌊s⌋+1 (clamped to the last)
 * with weights 1 − (s − ⌊s⌋) and s − ⌊s⌋. A 2-D resize applies it along rows and columns.
 * The FCN head's training graph (nn) and the packed engine (kernels) both take their weights
 * from here, so the two up-sample identically.
 */
export function bilinearWeights(inSize: number, outSize: number): Float32Array {
  const m = new Float32Array(outSize * inSize);
  const scale = inSize / outSize;
  for (let i = 0; i < outSize; i++) {
    const s = Math.max(0, (i + 0.5) * scale - 0.5);
    const i0 = Math.min(Math.floor(s), inSize - 1);
    const i1 = Math.min(i0 + 1, inSize - 1);
    const t = s - i0;
    m[i * inSize + i0]! += 1 - t;
    m[i * inSize + i1]! += t;
  }
  return m;
}
