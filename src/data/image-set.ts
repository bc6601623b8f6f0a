/**
 * A block of labelled images in memory: the common currency of the readers, the splits
 * and the batchers. Pixels are bytes (0..255), laid out NHWC (image, row, column, channel),
 * so one image is `height·width·channels` consecutive bytes.
 */
export interface ImageSet {
  /** `count·height·width·channels` bytes, NHWC. */
  images: Uint8Array;
  /** One class index per image (segmentation: the class covering most pixels, background excluded). */
  labels: Uint8Array;
  /**
   * Segmentation: one label per pixel, `count·height·width` bytes, in the images' order; 0 is the
   * background, `IGNORE_LABEL` (255) a pixel no loss or metric counts. Absent for classification.
   */
  masks?: Uint8Array;
  count: number;
  height: number;
  width: number;
  channels: number;
}

/** The per-pixel label that losses and metrics skip (PASCAL VOC's object borders and the padding of a crop). */
export const IGNORE_LABEL = 255;

/** Bytes per mask. */
function maskSize(set: Pick<ImageSet, 'height' | 'width'>): number {
  return set.height * set.width;
}

/** Bytes per image. */
export function imageSize(set: Pick<ImageSet, 'height' | 'width' | 'channels'>): number {
  return set.height * set.width * set.channels;
}

/** A new set holding the images at `indices`, in that order (copies the bytes). */
export function selectImages(set: ImageSet, indices: ArrayLike<number>): ImageSet {
  const size = imageSize(set);
  const images = new Uint8Array(indices.length * size);
  const labels = new Uint8Array(indices.length);
  const m = maskSize(set);
  const masks = set.masks !== undefined ? new Uint8Array(indices.length * m) : undefined;
  for (let i = 0; i < indices.length; i++) {
    const src = indices[i]!;
    images.set(set.images.subarray(src * size, (src + 1) * size), i * size);
    labels[i] = set.labels[src]!;
    masks?.set(set.masks!.subarray(src * m, (src + 1) * m), i * m);
  }
  return { images, labels, ...(masks ? { masks } : {}), count: indices.length, height: set.height, width: set.width, channels: set.channels };
}

/** The first `n` images (a view, no copy). */
export function firstImages(set: ImageSet, n: number): ImageSet {
  const count = Math.min(n, set.count);
  return {
    ...set,
    images: set.images.subarray(0, count * imageSize(set)),
    labels: set.labels.subarray(0, count),
    ...(set.masks !== undefined ? { masks: set.masks.subarray(0, count * maskSize(set)) } : {}),
    count,
  };
}

/** Image indices grouped by label: `result[c]` lists, in ascending order, the images of class c. */
export function indicesByClass(labels: ArrayLike<number>, numClasses: number): number[][] {
  const byClass: number[][] = Array.from({ length: numClasses }, () => []);
  for (let i = 0; i < labels.length; i++) byClass[labels[i]!]!.push(i);
  return byClass;
}

/** How many images of each class. */
export function classCounts(labels: ArrayLike<number>, numClasses: number): number[] {
  const counts = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < labels.length; i++) counts[labels[i]!]!++;
  return counts;
}

/** Concatenate sets of the same image shape (the five training batches into one). */
export function concatImageSets(sets: readonly ImageSet[]): ImageSet {
  const first = sets[0];
  if (!first) throw new RangeError('concatImageSets needs at least one set');
  const count = sets.reduce((n, s) => n + s.count, 0);
  const images = new Uint8Array(sets.reduce((n, s) => n + s.images.length, 0));
  const labels = new Uint8Array(count);
  const segmentation = first.masks !== undefined;
  if (sets.some((s) => (s.masks !== undefined) !== segmentation)) throw new RangeError('concatImageSets: some sets have masks, some not');
  const masks = segmentation ? new Uint8Array(count * maskSize(first)) : undefined;
  let imageOffset = 0;
  let labelOffset = 0;
  for (const s of sets) {
    if (s.height !== first.height || s.width !== first.width || s.channels !== first.channels) {
      throw new RangeError('concatImageSets: image shapes differ');
    }
    images.set(s.images, imageOffset);
    labels.set(s.labels, labelOffset);
    masks?.set(s.masks!, labelOffset * maskSize(first));
    imageOffset += s.images.length;
    labelOffset += s.count;
  }
  return { images, labels, ...(masks ? { masks } : {}), count, height: first.height, width: first.width, channels: first.channels };
}
