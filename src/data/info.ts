import type { Dataset, DatasetSource } from './dataset.js';

/** What `groupnas data info` prints about a data set. */
export interface DataInfo {
  name: string;
  source: DatasetSource;
  path: string;
  /** Number of training and test images. */
  train: number;
  test: number;
  /** `[height, width, channels]`. */
  shape: [number, number, number];
  classes: string[];
  checksum: string;
  /** Per-channel mean and std of the training pixels in [0, 1]. */
  mean: number[];
  std: number[];
}

/** A plain JSON-able summary of a data set. */
export function dataInfo(ds: Dataset): DataInfo {
  return {
    name: ds.name,
    source: ds.source,
    path: ds.path,
    train: ds.train.count,
    test: ds.test.count,
    shape: [...ds.shape],
    classes: [...ds.classes],
    checksum: ds.checksum,
    mean: [...ds.stats.mean],
    std: [...ds.stats.std],
  };
}
