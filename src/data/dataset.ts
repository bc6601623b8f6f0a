/**
 * A Dataset: train and test images with their shape, class names, where they came from
 * and a checksum that identifies the exact data (so runs can record what they trained on).
 */
import type { ImageSet } from './image-set.js';

/** Where a data set was found: shipped inside the package, the Debian package, or a user's directory. */
export type DatasetSource = 'embedded' | 'debian' | 'directory';

export type DatasetFormat = 'idx' | 'cifar10' | 'voc';

/** Per-channel mean and standard deviation of the pixels scaled to [0, 1]. */
export interface ChannelStats {
  mean: number[];
  std: number[];
}

export interface Dataset {
  /** e.g. `fashion-mnist`, `fashion-mnist-subset` (the embedded one), `mnist`, `cifar-10`. */
  name: string;
  source: DatasetSource;
  /** Directory the files were read from. */
  path: string;
  format: DatasetFormat;
  train: ImageSet;
  test: ImageSet;
  /** Image shape `[height, width, channels]`. */
  shape: [number, number, number];
  classes: readonly string[];
  /**
   * sha256 (hex) of the raw, decompressed file bytes concatenated in a fixed order
   * (idx: train images, train labels, test images, test labels; CIFAR-10: data_batch_1…N, test_batch;
   * VOC: per listed id its JPEG then its mask PNG, train list then val list).
   * Independent of gzip, so `zcat … | sha256sum` reproduces it.
   */
  checksum: string;
  /** Per-channel statistics of the training images, for normalization. */
  stats: ChannelStats;
}

export const FASHION_MNIST_CLASSES: readonly string[] = [
  'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
];

export const MNIST_CLASSES: readonly string[] = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

/** Per-channel mean and (population) standard deviation of a set's pixels, scaled to [0, 1]. */
export function channelStats(set: ImageSet): ChannelStats {
  const c = set.channels;
  const sum = new Float64Array(c);
  const sumSq = new Float64Array(c);
  const pixels = set.images;
  for (let i = 0; i < pixels.length; i += c) {
    for (let ch = 0; ch < c; ch++) {
      const v = pixels[i + ch]!;
      sum[ch] += v;
      sumSq[ch] += v * v;
    }
  }
  const n = pixels.length / c;
  const mean: number[] = [];
  const std: number[] = [];
  for (let ch = 0; ch < c; ch++) {
    const m = n > 0 ? sum[ch]! / n : 0;
    const variance = n > 0 ? Math.max(0, sumSq[ch]! / n - m * m) : 0;
    mean.push(m / 255);
    // A constant image set has no spread; 1 keeps normalization finite (it then only centres).
    std.push(variance > 0 ? Math.sqrt(variance) / 255 : 1);
  }
  return { mean, std };
}
