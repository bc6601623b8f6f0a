/**
 * Train / arch-val / test splits. DARTS-style search trains network weights on one half of the
 * training images and architecture weights on the other (arch-val fraction 0.5); plain training
 * keeps a small validation part (0.1). The carve is seeded and class-balanced.
 */
import { UsageError } from '../util/errors.js';
import { createRng, deriveSeed, shuffle } from '../util/random.js';
import type { Dataset } from './dataset.js';
import { firstImages, indicesByClass, selectImages, type ImageSet } from './image-set.js';

export interface SplitOptions {
  seed: number;
  /** Fraction of the (limited) training images moved to arch-val, in [0, 1). Default 0.1. */
  archValFraction?: number;
  /** Use only the first `limit` training images (before carving arch-val). */
  limit?: number;
  /** Use only the first `testLimit` test images. */
  testLimit?: number;
}

export interface DataSplits {
  train: ImageSet;
  archVal: ImageSet;
  test: ImageSet;
}

export const DEFAULT_ARCH_VAL_FRACTION = 0.1;

function checkCount(name: string, value: number | undefined): void {
  if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
    throw new UsageError(`${name}: expected a positive integer, got ${value}`);
  }
}

/**
 * Split a data set. From each class of the training images, `round(n_c · fraction)` images chosen
 * at random (seeded) go to arch-val; both parts keep the source order, so `limit` and the carve
 * compose predictably. The test part is the data set's own test images.
 */
export function splitDataset(ds: Dataset, options: SplitOptions): DataSplits {
  const fraction = options.archValFraction ?? DEFAULT_ARCH_VAL_FRACTION;
  if (!(fraction >= 0 && fraction < 1)) {
    throw new UsageError(`archValFraction: expected a number in [0, 1), got ${fraction}`);
  }
  checkCount('limit', options.limit);
  checkCount('testLimit', options.testLimit);
  const pool = options.limit === undefined ? ds.train : firstImages(ds.train, options.limit);
  const test = options.testLimit === undefined ? ds.test : firstImages(ds.test, options.testLimit);

  const rng = createRng(deriveSeed(options.seed, 'arch-val split'));
  const inArchVal = new Uint8Array(pool.count);
  for (const indices of indicesByClass(pool.labels, ds.classes.length)) {
    const take = Math.round(indices.length * fraction);
    for (const i of shuffle(rng, indices).slice(0, take)) inArchVal[i] = 1;
  }
  const trainIndices: number[] = [];
  const archValIndices: number[] = [];
  for (let i = 0; i < pool.count; i++) (inArchVal[i] ? archValIndices : trainIndices).push(i);
  return { train: selectImages(pool, trainIndices), archVal: selectImages(pool, archValIndices), test };
}
