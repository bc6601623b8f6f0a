import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FASHION_MNIST_CLASSES } from '../../src/data/dataset.js';
import { DEBIAN_FASHION_MNIST_DIR, findDatasets, loadDataset } from '../../src/data/locate.js';
import { FileFormatError, UsageError } from '../../src/util/errors.js';
import { cifarBytes, idxImagesBytes, idxLabelsBytes, removeTempDirs, syntheticSet, tempDir, writeIdxDir } from './fixtures.js';

afterAll(removeTempDirs);

const train = syntheticSet(30, 6, 5);
const test = syntheticSet(12, 6, 5);

function sha256(...parts: Uint8Array[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest('hex');
}

describe('loadDataset: idx directories', () => {
  it('loads .gz files, with a checksum over the raw bytes that gzip does not change', () => {
    const gzDir = join(tempDir(), 'my-set');
    const rawDir = join(tempDir(), 'my-set');
    writeIdxDir(gzDir, train, test, true);
    writeIdxDir(rawDir, train, test, false);
    const ds = loadDataset({ data: gzDir });
    expect(ds).toMatchObject({ name: 'my-set', source: 'directory', path: gzDir, format: 'idx', shape: [6, 5, 1] });
    expect(ds.train.count).toBe(30);
    expect(ds.test.count).toBe(12);
    expect(ds.classes).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(ds.checksum).toBe(sha256(idxImagesBytes(train), idxLabelsBytes(train), idxImagesBytes(test), idxLabelsBytes(test)));
    expect(loadDataset({ data: rawDir }).checksum).toBe(ds.checksum);
  });

  it('computes per-channel normalization statistics from the training images', () => {
    const dir = tempDir();
    writeIdxDir(dir, train, test);
    const { stats } = loadDataset({ data: dir });
    const pixels = Array.from(train.images, (v) => v / 255);
    const mean = pixels.reduce((a, b) => a + b, 0) / pixels.length;
    const std = Math.sqrt(pixels.reduce((a, b) => a + (b - mean) ** 2, 0) / pixels.length);
    expect(stats.mean[0]).toBeCloseTo(mean, 10);
    expect(stats.std[0]).toBeCloseTo(std, 10);
  });

  it('accepts the `.idx3-ubyte` spelling', () => {
    const dir = tempDir();
    writeIdxDir(dir, train, test, false);
    renameSync(join(dir, 'train-images-idx3-ubyte'), join(dir, 'train-images.idx3-ubyte'));
    expect(loadDataset({ data: dir }).train.count).toBe(30);
  });

  it('names Fashion-MNIST and MNIST directories and reads classes.txt', () => {
    const fashion = join(tempDir(), 'fashion-mnist');
    writeIdxDir(fashion, train, test);
    expect(loadDataset({ data: fashion })).toMatchObject({ name: 'fashion-mnist', classes: FASHION_MNIST_CLASSES });
    const mnist = join(tempDir(), 'mnist');
    writeIdxDir(mnist, train, test);
    expect(loadDataset({ data: mnist }).name).toBe('mnist');
    const custom = join(tempDir(), 'letters');
    writeIdxDir(custom, train, test);
    writeFileSync(join(custom, 'classes.txt'), 'a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n');
    expect(loadDataset({ data: custom }).classes).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j']);
  });

  it('rejects a label beyond the class list, naming file and record', () => {
    const dir = tempDir();
    writeIdxDir(dir, train, test);
    writeFileSync(join(dir, 'classes.txt'), 'a\nb\nc\n');
    expect(() => loadDataset({ data: dir })).toThrow(/train-labels-idx1-ubyte\.gz: label 3: expected 0\.\.2 \(3 classes\), found 3/);
  });

  it('counts the classes of an unnamed set from its labels 0..K−1; a stray label byte is an error naming file and index, not another class', () => {
    const dir = join(tempDir(), 'letters');
    const damaged = { ...train, labels: train.labels.slice() };
    damaged.labels[7] = 137;
    writeIdxDir(dir, damaged, test);
    expect(() => loadDataset({ data: dir })).toThrow(/train-labels-idx1-ubyte\.gz: label 7: found 137, but the labels number their classes 0\.\.9/);
    // A test label outside the training labels' classes names its file and index too.
    const testDamaged = { ...test, labels: test.labels.slice() };
    testDamaged.labels[2] = 10;
    writeIdxDir(dir, train, testDamaged);
    expect(() => loadDataset({ data: dir })).toThrow(/t10k-labels-idx1-ubyte\.gz: label 2: expected 0\.\.9 \(10 classes\), found 10/);
  });

  it('names the missing files of an incomplete set', () => {
    const dir = tempDir();
    writeIdxDir(dir, train, test);
    rmSync(join(dir, 't10k-labels-idx1-ubyte.gz'));
    expect(() => loadDataset({ data: dir })).toThrow(/idx files: missing t10k-labels-idx1-ubyte\[\.gz\]/);
  });

  it('rejects test images of another size than the training images', () => {
    const dir = tempDir();
    writeIdxDir(dir, train, syntheticSet(4, 5, 5));
    expect(() => loadDataset({ data: dir })).toThrow(/t10k-images-idx3-ubyte\.gz: dims: expected 6×5 images like .*, found 5×5/);
  });

  it('passes reader errors through with the file name', () => {
    const dir = tempDir();
    writeIdxDir(dir, train, test);
    writeFileSync(join(dir, 'train-labels-idx1-ubyte.gz'), idxImagesBytes(train));
    expect(() => loadDataset({ data: dir })).toThrow(FileFormatError);
    expect(() => loadDataset({ data: dir })).toThrow(/train-labels-idx1-ubyte\.gz: header: expected magic 0x00000801/);
  });
});

describe('loadDataset: CIFAR-10 directories', () => {
  it('loads data_batch_N.bin in numeric order and test_batch.bin', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'data_batch_2.bin'), cifarBytes(2, 5));
    writeFileSync(join(dir, 'data_batch_1.bin'), cifarBytes(3, 0));
    writeFileSync(join(dir, 'test_batch.bin'), cifarBytes(1, 9));
    const ds = loadDataset({ data: dir });
    expect(ds).toMatchObject({ name: 'cifar-10', format: 'cifar10', shape: [32, 32, 3] });
    expect(ds.classes[0]).toBe('airplane');
    expect(Array.from(ds.train.labels)).toEqual([0, 1, 2, 5, 6]);
    expect(Array.from(ds.test.labels)).toEqual([9]);
    expect(ds.checksum).toBe(sha256(cifarBytes(3, 0), cifarBytes(2, 5), cifarBytes(1, 9)));
    expect(ds.stats.mean).toHaveLength(3);
  });

  it('finds the batches inside an unpacked cifar-10-batches-bin folder', () => {
    const parent = tempDir();
    const dir = join(parent, 'cifar-10-batches-bin');
    mkdirSync(dir);
    writeFileSync(join(dir, 'data_batch_1.bin'), cifarBytes(2));
    writeFileSync(join(dir, 'test_batch.bin'), cifarBytes(2));
    writeFileSync(join(dir, 'batches.meta.txt'), 'A\nB\nC\nD\nE\nF\nG\nH\nI\nJ\n\n');
    const ds = loadDataset({ data: parent });
    expect(ds.path).toBe(dir);
    expect(ds.classes[9]).toBe('J');
  });

  it('names a missing test batch', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'data_batch_1.bin'), cifarBytes(1));
    expect(() => loadDataset({ data: dir })).toThrow(/CIFAR-10 files: missing test_batch\.bin/);
  });

  it('passes a bad record size through with the file name', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'data_batch_1.bin'), cifarBytes(1).subarray(0, 3000));
    writeFileSync(join(dir, 'test_batch.bin'), cifarBytes(1));
    expect(() => loadDataset({ data: dir })).toThrow(/data_batch_1\.bin: size: expected a positive multiple of 3073/);
  });
});

describe('loadDataset: locating', () => {
  it('explains an empty directory', () => {
    expect(() => loadDataset({ data: tempDir() })).toThrow(/no data set found: expected idx files .*, CIFAR-10 batches .* or the PASCAL VOC layout/);
  });

  it('rejects a missing directory with a usage error', () => {
    expect(() => loadDataset({ data: '/nonexistent/data' })).toThrow(UsageError);
  });

  it('finds the embedded set, and the Debian one exactly when it is installed', () => {
    const found = findDatasets();
    expect(found[0]).toMatchObject({ data: 'embedded', name: 'fashion-mnist-subset', source: 'embedded' });
    const debianInstalled = existsSync(join(DEBIAN_FASHION_MNIST_DIR, 'train-images-idx3-ubyte.gz'));
    expect(found.some((d) => d.source === 'debian' && d.location === DEBIAN_FASHION_MNIST_DIR)).toBe(debianInstalled);
  });
});
