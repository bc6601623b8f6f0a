import { describe, expect, it } from 'vitest';
import { augmentImages, defaultAugmentation, normalizeImages, shiftImage } from '../../src/data/augment.js';
import { createRng } from '../../src/util/random.js';

// One 3×3 single-channel image with pixels 1..9, row-major.
const image = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
const shape = [3, 3, 1] as const;

function shifted(dy: number, dx: number, flip: boolean): number[] {
  const out = new Uint8Array(9);
  shiftImage(image, 0, out, 0, shape, dy, dx, flip);
  return Array.from(out);
}

describe('shiftImage (crop of the zero-padded image)', () => {
  it('is the identity at offset 0', () => {
    expect(shifted(0, 0, false)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('moves content and fills the border with zeros', () => {
    expect(shifted(1, 0, false)).toEqual([4, 5, 6, 7, 8, 9, 0, 0, 0]);
    expect(shifted(0, -1, false)).toEqual([0, 1, 2, 0, 4, 5, 0, 7, 8]);
    expect(shifted(-2, 2, false)).toEqual([0, 0, 0, 0, 0, 0, 3, 0, 0]);
  });

  it('mirrors left-right', () => {
    expect(shifted(0, 0, true)).toEqual([3, 2, 1, 6, 5, 4, 9, 8, 7]);
  });

  it('keeps channels of a pixel together', () => {
    const rgb = Uint8Array.from({ length: 2 * 2 * 3 }, (_, i) => i + 1);
    const out = new Uint8Array(12);
    shiftImage(rgb, 0, out, 0, [2, 2, 3], 0, 0, true);
    expect(Array.from(out)).toEqual([4, 5, 6, 1, 2, 3, 10, 11, 12, 7, 8, 9]);
  });
});

describe('augmentImages', () => {
  const batch = Uint8Array.from({ length: 4 * 28 * 28 }, (_, i) => (i * 7) % 251);
  const fmShape = [28, 28, 1] as const;

  it('keeps the shape, and only ever shifts by at most the padding', () => {
    const out = augmentImages(batch, 4, fmShape, { pad: 2, flip: false }, createRng(1));
    expect(out.length).toBe(batch.length);
    for (let i = 0; i < 4; i++) {
      const matches = [];
      for (let dy = -2; dy <= 2; dy++) {
        for (let dx = -2; dx <= 2; dx++) {
          const expected = new Uint8Array(784);
          shiftImage(batch, i, expected, 0, fmShape, dy, dx, false);
          if (expected.every((v, p) => v === out[i * 784 + p])) matches.push([dy, dx]);
        }
      }
      expect(matches).toHaveLength(1);
    }
  });

  it('is reproducible from the rng seed and varies with it', () => {
    const options = { pad: 2, flip: true };
    const a = augmentImages(batch, 4, fmShape, options, createRng(5));
    expect(augmentImages(batch, 4, fmShape, options, createRng(5))).toEqual(a);
    expect(augmentImages(batch, 4, fmShape, options, createRng(6))).not.toEqual(a);
  });

  it('is the identity without padding or flips', () => {
    expect(augmentImages(batch, 4, fmShape, { pad: 0, flip: false }, createRng(1))).toEqual(batch);
  });

  it('pads 2 for 28×28 and 4 with flips for CIFAR-sized colour images', () => {
    expect(defaultAugmentation([28, 28, 1])).toEqual({ pad: 2, flip: false });
    expect(defaultAugmentation([32, 32, 3])).toEqual({ pad: 4, flip: true });
  });
});

describe('normalizeImages', () => {
  it('scales to [0, 1] without statistics', () => {
    expect(Array.from(normalizeImages(Uint8Array.from([0, 51, 255]), 1))).toEqual([0, Math.fround(0.2), 1]);
  });

  it('subtracts the mean and divides by the std per channel', () => {
    const out = normalizeImages(Uint8Array.from([0, 255, 51, 102]), 2, { mean: [0.5, 0.2], std: [0.25, 0.5] });
    expect(out[0]).toBeCloseTo(-2, 6);
    expect(out[1]).toBeCloseTo(1.6, 6);
    expect(out[2]).toBeCloseTo(-1.2, 6);
    expect(out[3]).toBeCloseTo(0.4, 6);
  });
});
