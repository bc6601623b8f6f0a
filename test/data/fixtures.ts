/** Tiny data files for the data tests, written to a fresh temp directory. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { encodeIdx, IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC } from '../../src/data/idx.js';
import type { ImageSet } from '../../src/data/image-set.js';

let root: string | undefined;

/** A fresh directory under one root per test file; call removeTempDirs in afterAll. */
export function tempDir(): string {
  root ??= mkdtempSync(join(tmpdir(), 'groupnas-data-test-'));
  return mkdtempSync(join(root, 'd-'));
}

export function removeTempDirs(): void {
  if (root) rmSync(root, { recursive: true, force: true });
  root = undefined;
}

/**
 * `count` images whose pixels identify them: pixel p of image i is (i·31 + p) mod 256, with
 * byte 0 = i mod 256 and byte 1 = ⌊i/256⌋ so an image can be traced back to its index.
 * Labels cycle 0..classes−1.
 */
export function syntheticSet(count: number, height: number, width: number, channels = 1, classes = 10): ImageSet {
  const size = height * width * channels;
  const images = new Uint8Array(count * size);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    for (let p = 0; p < size; p++) images[i * size + p] = (i * 31 + p) % 256;
    images[i * size] = i % 256;
    if (size > 1) images[i * size + 1] = Math.floor(i / 256);
    labels[i] = i % classes;
  }
  return { images, labels, count, height, width, channels };
}

/** The index an image of `syntheticSet` came from. */
export function imageId(set: ImageSet, i: number): number {
  const size = set.height * set.width * set.channels;
  return set.images[i * size]! + 256 * set.images[i * size + 1]!;
}

export function idxImagesBytes(set: ImageSet): Uint8Array {
  return encodeIdx(IDX_IMAGES_MAGIC, [set.count, set.height, set.width], set.images);
}

export function idxLabelsBytes(set: ImageSet): Uint8Array {
  return encodeIdx(IDX_LABELS_MAGIC, [set.count], set.labels);
}

/** Write the four standard idx files (gzip-compressed unless `gz` is false) into `dir`. */
export function writeIdxDir(dir: string, train: ImageSet, test: ImageSet, gz = true): void {
  mkdirSync(dir, { recursive: true });
  const files: [string, Uint8Array][] = [
    ['train-images-idx3-ubyte', idxImagesBytes(train)],
    ['train-labels-idx1-ubyte', idxLabelsBytes(train)],
    ['t10k-images-idx3-ubyte', idxImagesBytes(test)],
    ['t10k-labels-idx1-ubyte', idxLabelsBytes(test)],
  ];
  for (const [name, bytes] of files) {
    writeFileSync(join(dir, gz ? `${name}.gz` : name), gz ? gzipSync(bytes) : bytes);
  }
}

/**
 * CIFAR-10 records for `count` images: label i mod 10, and channel c of pixel p stored
 * (channel-major) as (i + 3p + c) mod 256, so NHWC position (i, p, c) must hold that value.
 */
export function cifarBytes(count: number, firstLabel = 0): Uint8Array {
  const out = new Uint8Array(count * 3073);
  for (let i = 0; i < count; i++) {
    const record = i * 3073;
    out[record] = (firstLabel + i) % 10;
    for (let c = 0; c < 3; c++) {
      for (let p = 0; p < 1024; p++) out[record + 1 + c * 1024 + p] = (i + 3 * p + c) % 256;
    }
  }
  return out;
}
