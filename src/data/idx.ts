/**
 * The idx format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/):
 * a 4-byte magic `00 00 <type> <ndims>`, then `ndims` big-endian uint32 sizes, then the
 * data. Labels are `00 00 08 01` (ubyte, 1 dim: count); images are `00 00 08 03`
 * (ubyte, 3 dims: count, rows, columns). Files may be gzip-compressed.
 */
import { FileFormatError } from '../util/errors.js';
import type { ImageSet } from './image-set.js';
import { readDataFile } from './read-data-file.js';

export const IDX_LABELS_MAGIC = 0x00000801;
export const IDX_IMAGES_MAGIC = 0x00000803;

const MAGIC_NAMES: Record<number, string> = {
  [IDX_LABELS_MAGIC]: 'idx labels',
  [IDX_IMAGES_MAGIC]: 'idx images',
};

function hex32(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}

/** Parse one idx ubyte array, checking the magic and that the sizes match the byte length exactly. */
function parseIdxUbyte(bytes: Uint8Array, file: string, magic: number): { dims: number[]; data: Uint8Array } {
  const what = MAGIC_NAMES[magic]!;
  if (bytes.length < 4) {
    throw new FileFormatError(file, 'header', `truncated: ${bytes.length} bytes, expected at least 4 (the magic number)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const found = view.getUint32(0, false);
  if (found !== magic) {
    const known = MAGIC_NAMES[found];
    throw new FileFormatError(
      file,
      'header',
      `expected magic ${hex32(magic)} (${what}), found ${hex32(found)}${known ? ` (${known})` : ''}`,
    );
  }
  const ndims = magic & 0xff;
  const headerBytes = 4 + 4 * ndims;
  if (bytes.length < headerBytes) {
    throw new FileFormatError(file, 'header', `truncated: ${bytes.length} bytes, expected ${headerBytes} for ${ndims} dimension sizes`);
  }
  const dims: number[] = [];
  for (let d = 0; d < ndims; d++) dims.push(view.getUint32(4 + 4 * d, false));
  const expected = dims.reduce((a, b) => a * b, 1);
  const actual = bytes.length - headerBytes;
  if (actual !== expected) {
    const shape = dims.join('×');
    throw new FileFormatError(
      file,
      'data',
      actual < expected
        ? `truncated: dims ${shape} need ${expected} bytes, found ${actual}`
        : `dims ${shape} need ${expected} bytes, found ${actual} (${actual - expected} extra)`,
    );
  }
  return { dims, data: bytes.subarray(headerBytes) };
}

/** Parse idx image bytes (already decompressed). `file` names the source in errors. */
export function parseIdxImages(bytes: Uint8Array, file: string): Omit<ImageSet, 'labels'> {
  const { dims, data } = parseIdxUbyte(bytes, file, IDX_IMAGES_MAGIC);
  const [count, height, width] = dims as [number, number, number];
  if (height === 0 || width === 0) {
    throw new FileFormatError(file, 'dims', `expected rows and columns ≥ 1, found ${height}×${width}`);
  }
  return { images: data, count, height, width, channels: 1 };
}

/** Parse idx label bytes (already decompressed). */
export function parseIdxLabels(bytes: Uint8Array, file: string): Uint8Array {
  return parseIdxUbyte(bytes, file, IDX_LABELS_MAGIC).data;
}

/**
 * Read an idx images file and its labels file (each `.gz` or raw) into one ImageSet.
 * Errors name the file and what is wrong: truncated data, wrong magic, bad gzip,
 * sizes that do not match the byte length, or a different number of images and labels.
 */
export function readIdx(imagesFile: string, labelsFile: string): ImageSet {
  const images = parseIdxImages(readDataFile(imagesFile), imagesFile);
  const labels = parseIdxLabels(readDataFile(labelsFile), labelsFile);
  if (labels.length !== images.count) {
    throw new FileFormatError(
      labelsFile,
      'count',
      `expected ${images.count} labels (one per image in ${imagesFile}), found ${labels.length}`,
    );
  }
  return { ...images, labels };
}

/** Encode a big-endian idx ubyte array: the inverse of the parser, for writing subsets and test files. */
export function encodeIdx(magic: typeof IDX_LABELS_MAGIC | typeof IDX_IMAGES_MAGIC, dims: readonly number[], data: Uint8Array): Uint8Array {
  const header = new Uint8Array(4 + 4 * dims.length);
  const view = new DataView(header.buffer);
  view.setUint32(0, magic, false);
  dims.forEach((size, d) => view.setUint32(4 + 4 * d, size, false));
  const out = new Uint8Array(header.length + data.length);
  out.set(header);
  out.set(data, header.length);
  return out;
}

/** The idx bytes of an ImageSet's images (channels must be 1: idx stores grey images). */
export function encodeIdxImages(set: ImageSet): Uint8Array {
  if (set.channels !== 1) throw new RangeError(`idx stores single-channel images, got ${set.channels} channels`);
  return encodeIdx(IDX_IMAGES_MAGIC, [set.count, set.height, set.width], set.images);
}

/** The idx bytes of an ImageSet's labels. */
export function encodeIdxLabels(set: ImageSet): Uint8Array {
  return encodeIdx(IDX_LABELS_MAGIC, [set.count], set.labels);
}
