/**
 * The CIFAR-10 binary format (https://www.cs.toronto.edu/~kriz/cifar.html):
 * `data_batch_1.bin` … `data_batch_5.bin` and `test_batch.bin`, each a run of 3073-byte
 * records: one label byte (0..9), then a 32×32 colour image stored channel-major
 * (1024 red, 1024 green, 1024 blue bytes, rows in order). We convert to NHWC.
 */
import { FileFormatError } from '../util/errors.js';
import type { ImageSet } from './image-set.js';
import { readDataFile } from './read-data-file.js';

export const CIFAR10_SIDE = 32;
export const CIFAR10_CHANNELS = 3;
const PIXELS = CIFAR10_SIDE * CIFAR10_SIDE;
const IMAGE_BYTES = PIXELS * CIFAR10_CHANNELS;
export const CIFAR10_RECORD_BYTES = 1 + IMAGE_BYTES;
/** CIFAR-100 records carry a coarse and a fine label; recognizing them gives a clearer error. */
const CIFAR100_RECORD_BYTES = 2 + IMAGE_BYTES;

export const CIFAR10_CLASSES: readonly string[] = [
  'airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck',
];

/** Parse one CIFAR-10 batch (already read); `file` names the source in errors. */
export function parseCifar10Batch(bytes: Uint8Array, file: string): ImageSet {
  if (bytes.length === 0 || bytes.length % CIFAR10_RECORD_BYTES !== 0) {
    const hint =
      bytes.length > 0 && bytes.length % CIFAR100_RECORD_BYTES === 0
        ? '; the size fits CIFAR-100 records (3074 bytes), which are not supported'
        : '';
    throw new FileFormatError(
      file,
      'size',
      `expected a positive multiple of ${CIFAR10_RECORD_BYTES} bytes (1 label byte + 3072 pixel bytes per record), found ${bytes.length} bytes${hint}`,
    );
  }
  const count = bytes.length / CIFAR10_RECORD_BYTES;
  const images = new Uint8Array(count * IMAGE_BYTES);
  const labels = new Uint8Array(count);
  for (let r = 0; r < count; r++) {
    const record = r * CIFAR10_RECORD_BYTES;
    const label = bytes[record]!;
    if (label >= CIFAR10_CLASSES.length) {
      throw new FileFormatError(file, `record ${r}: label`, `expected 0..9, found ${label}`);
    }
    labels[r] = label;
    const out = r * IMAGE_BYTES;
    for (let c = 0; c < CIFAR10_CHANNELS; c++) {
      const plane = record + 1 + c * PIXELS;
      for (let p = 0; p < PIXELS; p++) images[out + p * CIFAR10_CHANNELS + c] = bytes[plane + p]!;
    }
  }
  return { images, labels, count, height: CIFAR10_SIDE, width: CIFAR10_SIDE, channels: CIFAR10_CHANNELS };
}

/** Read one CIFAR-10 batch file (raw, or gzip-compressed). */
export function readCifar10Batch(file: string): ImageSet {
  return parseCifar10Batch(readDataFile(file), file);
}
