/**
 * The recipe of the embedded Fashion-MNIST subset, kept in the library (not only in the script
 * that writes it) so a test can rebuild it from the full data set and compare checksums.
 */
import { createHash } from 'node:crypto';
import { deriveSeed } from '../util/random.js';
import type { Dataset } from './dataset.js';
import { encodeIdxImages, encodeIdxLabels } from './idx.js';
import type { ImageSet } from './image-set.js';
import { balancedSubset } from './subset.js';

export const EMBEDDED_SUBSET_RECIPE = { seed: 2019, trainPerClass: 1000, testPerClass: 200 } as const;

export interface EmbeddedSubset {
  train: ImageSet;
  test: ImageSet;
  /** The four idx files, raw, in the checksum order (train images, train labels, test images, test labels). */
  files: [name: string, raw: Uint8Array][];
  /** Dataset checksum the subset will have once written (see Dataset.checksum). */
  checksum: string;
}

/** Draw the embedded subset from the full Fashion-MNIST (test images come from the test part only). */
export function makeEmbeddedSubset(full: Dataset): EmbeddedSubset {
  const { seed, trainPerClass, testPerClass } = EMBEDDED_SUBSET_RECIPE;
  const numClasses = full.classes.length;
  const train = balancedSubset(full.train, numClasses, trainPerClass, deriveSeed(seed, 'train'));
  const test = balancedSubset(full.test, numClasses, testPerClass, deriveSeed(seed, 'test'));
  const files: [string, Uint8Array][] = [
    ['train-images-idx3-ubyte.gz', encodeIdxImages(train)],
    ['train-labels-idx1-ubyte.gz', encodeIdxLabels(train)],
    ['t10k-images-idx3-ubyte.gz', encodeIdxImages(test)],
    ['t10k-labels-idx1-ubyte.gz', encodeIdxLabels(test)],
  ];
  const hash = createHash('sha256');
  for (const [, raw] of files) hash.update(raw);
  return { train, test, files, checksum: hash.digest('hex') };
}
