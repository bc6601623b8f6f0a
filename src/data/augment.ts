/**
 * Preprocessing on the CPU, on typed arrays: random crop with zero padding, horizontal flip,
 * and per-channel normalization. Augmentation works on the raw bytes (so the padding is
 * black, pixel 0, as in torchvision's RandomCrop(padding)), normalization comes last.
 */
import { randomInt, type Rng } from '../util/random.js';
import type { ChannelStats } from './dataset.js';

export interface AugmentOptions {
  /** Zero padding on each side before a random crop back to the original size; 0 = no crop. */
  pad: number;
  /** Mirror left-right with probability 1/2. */
  flip: boolean;
}

/**
 * Usual settings: pad 2 for images up to 28×28 (Fashion-MNIST), 4 for larger (CIFAR-10); flips for
 * colour photos only. Segmentation scenes: pad 1/8 of the side and flips (a mirrored scene is as
 * plausible as the original).
 */
export function defaultAugmentation(shape: readonly [number, number, number], segmentation = false): AugmentOptions {
  const [height, , channels] = shape;
  if (segmentation) return { pad: Math.max(1, Math.round(height / 8)), flip: true };
  return { pad: height <= 28 ? 2 : 4, flip: channels === 3 };
}

/**
 * Copy one image from `src` (at image index `srcImage`) to `dst` (at `dstImage`), shifted by
 * (dy, dx) ∈ [-pad, pad]²: out(y, x) = in(y + dy, x + dx), 0 outside the image, then mirrored if `flip`.
 * This is a crop of the zero-padded image at offset (dy + pad, dx + pad).
 */
export function shiftImage(
  src: Uint8Array,
  srcImage: number,
  dst: Uint8Array,
  dstImage: number,
  shape: readonly [number, number, number],
  dy: number,
  dx: number,
  flip: boolean,
  fill = 0,
): void {
  const [h, w, c] = shape;
  const size = h * w * c;
  const inBase = srcImage * size;
  const outBase = dstImage * size;
  for (let y = 0; y < h; y++) {
    const sy = y + dy;
    for (let x = 0; x < w; x++) {
      const sx = (flip ? w - 1 - x : x) + dx;
      const out = outBase + (y * w + x) * c;
      if (sy < 0 || sy >= h || sx < 0 || sx >= w) {
        dst.fill(fill, out, out + c);
      } else {
        const at = inBase + (sy * w + sx) * c;
        for (let ch = 0; ch < c; ch++) dst[out + ch] = src[at + ch]!;
      }
    }
  }
}

/** One image's crop offset and flip, drawn in a fixed order: dy, then dx, then the flip. */
function drawShift(options: AugmentOptions, rng: Rng): { dy: number; dx: number; flip: boolean } {
  const span = 2 * options.pad + 1;
  const dy = options.pad > 0 ? randomInt(rng, span) - options.pad : 0;
  const dx = options.pad > 0 ? randomInt(rng, span) - options.pad : 0;
  return { dy, dx, flip: options.flip && rng() < 0.5 };
}

/** Augment `count` consecutive images, one `drawShift` each, so the same rng state gives the same images. */
export function augmentImages(
  images: Uint8Array,
  count: number,
  shape: readonly [number, number, number],
  options: AugmentOptions,
  rng: Rng,
): Uint8Array {
  return augmentScenes(images, undefined, count, shape, options, rng).images;
}

/**
 * Augment images and their segmentation masks together: each mask moves exactly as its image
 * (same draws as `augmentImages`), and the pixels a crop brings in from outside are black in
 * the image and `fill` (the ignore label) in the mask.
 */
export function augmentScenes(
  images: Uint8Array,
  masks: Uint8Array | undefined,
  count: number,
  shape: readonly [number, number, number],
  options: AugmentOptions,
  rng: Rng,
  fill = 255,
): { images: Uint8Array; masks: Uint8Array | undefined } {
  const out = new Uint8Array(images.length);
  const outMasks = masks !== undefined ? new Uint8Array(masks.length) : undefined;
  const maskShape = [shape[0], shape[1], 1] as const;
  for (let i = 0; i < count; i++) {
    const { dy, dx, flip } = drawShift(options, rng);
    shiftImage(images, i, out, i, shape, dy, dx, flip);
    if (outMasks !== undefined) shiftImage(masks!, i, outMasks, i, maskShape, dy, dx, flip, fill);
  }
  return { images: out, masks: outMasks };
}

/**
 * Bytes (NHWC) to float32: `(pixel/255 − mean_c) / std_c` per channel, or plain `pixel/255`
 * when no statistics are given.
 */
export function normalizeImages(images: Uint8Array, channels: number, stats?: ChannelStats): Float32Array {
  const out = new Float32Array(images.length);
  // Fold the two steps into one multiply-add per pixel.
  const scale = new Float64Array(channels);
  const shift = new Float64Array(channels);
  for (let ch = 0; ch < channels; ch++) {
    const mean = stats ? stats.mean[ch]! : 0;
    const std = stats ? stats.std[ch]! : 1;
    scale[ch] = 1 / (255 * std);
    shift[ch] = -mean / std;
  }
  for (let i = 0; i < images.length; i += channels) {
    for (let ch = 0; ch < channels; ch++) out[i + ch] = images[i + ch]! * scale[ch]! + shift[ch]!;
  }
  return out;
}
