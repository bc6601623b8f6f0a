/**
 * Mini-batches as plain typed arrays, for consumers that must not see tfjs (the packed
 * kernels engine) and as the ground truth the tensor batcher wraps.
 *
 * Reproducibility: the order of epoch `e` is a permutation seeded by (seed, e) alone, and the
 * augmentation of batch `b` of epoch `e` draws from a generator seeded by (seed, e, b) alone.
 * So any batch can be rebuilt from (seed, epoch, batchIndex) without replaying earlier ones,
 * which is what a bit-for-bit resume of training needs. Give independent streams (e.g. the
 * train and arch-val splits of a search) different seeds, e.g. via deriveSeed(seed, 'train').
 */
import { UsageError } from '../util/errors.js';
import { createRng, deriveSeed, shuffle } from '../util/random.js';
import { augmentScenes, normalizeImages, type AugmentOptions } from './augment.js';
import type { ChannelStats } from './dataset.js';
import { IGNORE_LABEL, imageSize, type ImageSet } from './image-set.js';

export interface BatchOptions {
  batchSize: number;
  seed: number;
  /** Reshuffle every epoch (default true). False keeps the source order (evaluation). */
  shuffle?: boolean;
  /** Skip a last batch smaller than batchSize (default false). */
  dropLast?: boolean;
  /** Random crop / flip; omitted = none (evaluation). */
  augment?: AugmentOptions;
  /** Per-channel normalization (usually the data set's `stats`); omitted = pixels scaled to [0, 1]. */
  stats?: ChannelStats;
}

/** One mini-batch: NHWC float32 images and int32 class indices (per pixel for segmentation). */
export interface TypedBatch {
  x: Float32Array;
  /** One label per image, or for a set with masks one per pixel (`size·height·width`, image-row-column order). */
  labels: Int32Array;
  /** Images in this batch (the last one of an epoch may be smaller). */
  size: number;
  /** `[size, height, width, channels]`. */
  shape: [number, number, number, number];
  epoch: number;
  /** Position of this batch within its epoch, from 0. */
  index: number;
}

function checkOptions(options: BatchOptions): void {
  if (!Number.isInteger(options.batchSize) || options.batchSize < 1) {
    throw new UsageError(`batchSize: expected a positive integer, got ${options.batchSize}`);
  }
  if (!Number.isInteger(options.seed) || options.seed < 0) {
    throw new UsageError(`seed: expected a non-negative integer, got ${options.seed}`);
  }
}

/** Batches in one epoch of `count` images. */
export function batchesPerEpoch(count: number, options: Pick<BatchOptions, 'batchSize' | 'dropLast'>): number {
  return options.dropLast ? Math.floor(count / options.batchSize) : Math.ceil(count / options.batchSize);
}

/** The image order of an epoch: a seeded permutation of 0..count−1 (identity without shuffling). */
export function epochOrder(count: number, seed: number, epoch: number, shuffled = true): Uint32Array {
  const order = Array.from({ length: count }, (_, i) => i);
  if (shuffled) shuffle(createRng(deriveSeed(seed, `epoch ${epoch}`)), order);
  return Uint32Array.from(order);
}

function buildBatch(set: ImageSet, options: BatchOptions, order: Uint32Array, epoch: number, index: number): TypedBatch {
  const start = index * options.batchSize;
  const size = Math.min(options.batchSize, set.count - start);
  const bytes = imageSize(set);
  let images: Uint8Array = new Uint8Array(size * bytes);
  const pixels = set.height * set.width;
  let masks: Uint8Array | undefined = set.masks !== undefined ? new Uint8Array(size * pixels) : undefined;
  const labels = new Int32Array(size);
  for (let i = 0; i < size; i++) {
    const src = order[start + i]!;
    images.set(set.images.subarray(src * bytes, (src + 1) * bytes), i * bytes);
    masks?.set(set.masks!.subarray(src * pixels, (src + 1) * pixels), i * pixels);
    labels[i] = set.labels[src]!;
  }
  const shape: [number, number, number] = [set.height, set.width, set.channels];
  if (options.augment) {
    const rng = createRng(deriveSeed(options.seed, `augment ${epoch} ${index}`));
    ({ images, masks } = augmentScenes(images, masks, size, shape, options.augment, rng, IGNORE_LABEL));
  }
  return {
    x: normalizeImages(images, set.channels, options.stats),
    labels: masks !== undefined ? Int32Array.from(masks) : labels,
    size,
    shape: [size, set.height, set.width, set.channels],
    epoch,
    index,
  };
}

/**
 * The batches of one epoch, starting at `startBatch` (to resume where a checkpoint stopped).
 * Each batch holds fresh arrays the consumer may keep or modify.
 */
export function* typedBatches(set: ImageSet, options: BatchOptions, epoch: number, startBatch = 0): Generator<TypedBatch> {
  checkOptions(options);
  const order = epochOrder(set.count, options.seed, epoch, options.shuffle ?? true);
  const total = batchesPerEpoch(set.count, options);
  for (let index = startBatch; index < total; index++) yield buildBatch(set, options, order, epoch, index);
}

/** One batch by position, identical to the one `typedBatches` yields there. */
export function typedBatchAt(set: ImageSet, options: BatchOptions, epoch: number, index: number): TypedBatch {
  checkOptions(options);
  const total = batchesPerEpoch(set.count, options);
  if (!Number.isInteger(index) || index < 0 || index >= total) {
    throw new RangeError(`batch index ${index} out of range 0..${total - 1}`);
  }
  return buildBatch(set, options, epochOrder(set.count, options.seed, epoch, options.shuffle ?? true), epoch, index);
}

/** Where a batch stream stands: the next batch to produce. Store it in a checkpoint to resume. */
export interface BatchPosition {
  epoch: number;
  batch: number;
}

/** The position right after `batch` (rolling over to the next epoch after its last batch). */
export function positionAfter(batch: Pick<TypedBatch, 'epoch' | 'index'>, count: number, options: Pick<BatchOptions, 'batchSize' | 'dropLast'>): BatchPosition {
  return batch.index + 1 < batchesPerEpoch(count, options)
    ? { epoch: batch.epoch, batch: batch.index + 1 }
    : { epoch: batch.epoch + 1, batch: 0 };
}

/**
 * An endless stream of batches across epochs, from `from` on: what a DARTS loop draws from its
 * arch-val split in step with the training split. Stop consuming it whenever you like.
 */
export function* typedBatchStream(set: ImageSet, options: BatchOptions, from: BatchPosition = { epoch: 0, batch: 0 }): Generator<TypedBatch> {
  checkOptions(options);
  if (batchesPerEpoch(set.count, options) === 0) {
    throw new UsageError(`batch stream: ${set.count} images make no batch of ${options.batchSize}${options.dropLast ? ' (dropLast)' : ''}`);
  }
  for (let epoch = from.epoch, start = from.batch; ; epoch++, start = 0) {
    yield* typedBatches(set, options, epoch, start);
  }
}
