import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeIdxImages, encodeIdxLabels, parseIdxImages, readIdx } from '../../src/data/idx.js';
import { FileFormatError } from '../../src/util/errors.js';
import { idxImagesBytes, idxLabelsBytes, removeTempDirs, syntheticSet, tempDir } from './fixtures.js';

afterAll(removeTempDirs);

const set = syntheticSet(5, 3, 4);

function writePair(images: Uint8Array, labels: Uint8Array, gz: boolean): [string, string] {
  const dir = tempDir();
  const imagesFile = join(dir, gz ? 'train-images-idx3-ubyte.gz' : 'train-images-idx3-ubyte');
  const labelsFile = join(dir, gz ? 'train-labels-idx1-ubyte.gz' : 'train-labels-idx1-ubyte');
  writeFileSync(imagesFile, gz ? gzipSync(images) : images);
  writeFileSync(labelsFile, gz ? gzipSync(labels) : labels);
  return [imagesFile, labelsFile];
}

function readError(images: Uint8Array, labels: Uint8Array, gz = true): FileFormatError {
  const [imagesFile, labelsFile] = writePair(images, labels, gz);
  try {
    readIdx(imagesFile, labelsFile);
  } catch (err) {
    expect(err).toBeInstanceOf(FileFormatError);
    return err as FileFormatError;
  }
  throw new Error('expected readIdx to throw');
}

describe('idx reader', () => {
  it.each([true, false])('reads images and labels (gzip: %s)', (gz) => {
    const read = readIdx(...writePair(idxImagesBytes(set), idxLabelsBytes(set), gz));
    expect(read.count).toBe(5);
    expect(read.height).toBe(3);
    expect(read.width).toBe(4);
    expect(read.channels).toBe(1);
    expect(Array.from(read.images)).toEqual(Array.from(set.images));
    expect(Array.from(read.labels)).toEqual([0, 1, 2, 3, 4]);
  });

  it('encodes what it parses (big-endian header)', () => {
    const bytes = encodeIdxImages(set);
    expect(Array.from(bytes.subarray(0, 16))).toEqual([0, 0, 8, 3, 0, 0, 0, 5, 0, 0, 0, 3, 0, 0, 0, 4]);
    expect(Array.from(encodeIdxLabels(set).subarray(0, 8))).toEqual([0, 0, 8, 1, 0, 0, 0, 5]);
    expect(parseIdxImages(bytes, 'x').images).toEqual(set.images);
  });

  it('rejects a labels file given as images, naming file, field and both magics', () => {
    const err = readError(idxLabelsBytes(set), idxLabelsBytes(set));
    expect(err.message).toMatch(
      /train-images-idx3-ubyte\.gz: header: expected magic 0x00000803 \(idx images\), found 0x00000801 \(idx labels\)$/,
    );
    expect(err.field).toBe('header');
  });

  it('rejects a file shorter than the magic number', () => {
    expect(readError(new Uint8Array([0, 0]), idxLabelsBytes(set)).message).toMatch(
      /train-images-idx3-ubyte\.gz: header: truncated: 2 bytes, expected at least 4/,
    );
  });

  it('rejects a header cut inside the dimension sizes', () => {
    expect(readError(idxImagesBytes(set).subarray(0, 10), idxLabelsBytes(set)).message).toMatch(
      /header: truncated: 10 bytes, expected 16 for 3 dimension sizes/,
    );
  });

  it('rejects truncated pixel data', () => {
    const bytes = idxImagesBytes(set);
    expect(readError(bytes.subarray(0, bytes.length - 7), idxLabelsBytes(set)).message).toMatch(
      /train-images-idx3-ubyte\.gz: data: truncated: dims 5×3×4 need 60 bytes, found 53/,
    );
  });

  it('rejects dims that do not account for every byte', () => {
    const bytes = new Uint8Array([...idxImagesBytes(set), 1, 2, 3]);
    expect(readError(bytes, idxLabelsBytes(set)).message).toMatch(/data: dims 5×3×4 need 60 bytes, found 63 \(3 extra\)/);
  });

  it('rejects zero-sized images', () => {
    const bytes = idxImagesBytes({ ...set, images: new Uint8Array(0), height: 0 });
    expect(readError(bytes, idxLabelsBytes(set)).message).toMatch(/dims: expected rows and columns ≥ 1, found 0×4/);
  });

  it('rejects a count mismatch between images and labels, naming the labels file', () => {
    const fewer = idxLabelsBytes({ ...set, labels: set.labels.subarray(0, 4), count: 4 });
    const err = readError(idxImagesBytes(set), fewer);
    expect(err.file).toMatch(/train-labels-idx1-ubyte\.gz$/);
    expect(err.message).toMatch(/count: expected 5 labels \(one per image in .*train-images-idx3-ubyte\.gz\), found 4/);
  });

  it('rejects a corrupt gzip stream', () => {
    const [imagesFile, labelsFile] = writePair(idxImagesBytes(set), idxLabelsBytes(set), true);
    const gz = gzipSync(idxImagesBytes(set));
    writeFileSync(imagesFile, gz.subarray(0, gz.length - 10));
    expect(() => readIdx(imagesFile, labelsFile)).toThrow(/train-images-idx3-ubyte\.gz: gzip: corrupt or truncated gzip stream/);
  });

  it('rejects a .gz file that is neither gzip nor idx', () => {
    const [imagesFile, labelsFile] = writePair(idxImagesBytes(set), idxLabelsBytes(set), true);
    writeFileSync(imagesFile, '<html>not found</html>');
    expect(() => readIdx(imagesFile, labelsFile)).toThrow(/gzip: expected gzip magic 1f 8b, found 3c 68/);
  });

  it('names a missing file', () => {
    expect(() => readIdx('/nonexistent/train-images-idx3-ubyte', '/nonexistent/l')).toThrow(
      /\/nonexistent\/train-images-idx3-ubyte: file not found/,
    );
  });
});
