/** The shipped default data set and the Debian one: counts, classes and checksums as documented. */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FASHION_MNIST_CLASSES } from '../../src/data/dataset.js';
import { makeEmbeddedSubset } from '../../src/data/embedded-subset.js';
import { classCounts } from '../../src/data/image-set.js';
import { dataInfo } from '../../src/data/info.js';
import {
  DEBIAN_FASHION_MNIST_DIR,
  EMBEDDED_FASHION_MNIST,
  embeddedDataDir,
  FASHION_MNIST_CHECKSUM,
  loadDataset,
} from '../../src/data/locate.js';

describe('embedded Fashion-MNIST subset', () => {
  const ds = loadDataset();

  it('is the default and has the documented counts, shape and classes', () => {
    expect(ds).toMatchObject({ name: 'fashion-mnist-subset', source: 'embedded', format: 'idx', shape: [28, 28, 1] });
    expect(ds.train.count).toBe(10_000);
    expect(ds.test.count).toBe(2_000);
    expect(ds.classes).toEqual(FASHION_MNIST_CLASSES);
    expect(ds.classes[0]).toBe('T-shirt/top');
    expect(ds.classes[9]).toBe('Ankle boot');
  });

  it('is class-balanced', () => {
    expect(classCounts(ds.train.labels, 10)).toEqual(new Array(10).fill(1000));
    expect(classCounts(ds.test.labels, 10)).toEqual(new Array(10).fill(200));
  });

  it('has the checksum recorded in the code and in data/fashion-mnist/README.md', () => {
    expect(ds.checksum).toBe(EMBEDDED_FASHION_MNIST.checksum);
    expect(readFileSync(join(embeddedDataDir(), 'README.md'), 'utf8')).toContain(ds.checksum);
    expect(loadDataset({ data: 'embedded' }).checksum).toBe(ds.checksum);
  });

  it('keeps the shipped files a few MB', () => {
    const dir = embeddedDataDir();
    const total = readdirSync(dir).reduce((sum, name) => sum + statSync(join(dir, name)).size, 0);
    expect(total).toBeLessThan(6_000_000);
  });

  it('summarizes for `groupnas data info`', () => {
    const info = dataInfo(ds);
    expect(info).toMatchObject({
      name: 'fashion-mnist-subset',
      source: 'embedded',
      train: 10_000,
      test: 2_000,
      shape: [28, 28, 1],
      checksum: EMBEDDED_FASHION_MNIST.checksum,
    });
    expect(info.classes).toHaveLength(10);
    // Fashion-MNIST pixels average about 0.286 with spread about 0.353.
    expect(info.mean[0]).toBeGreaterThan(0.27);
    expect(info.mean[0]).toBeLessThan(0.3);
    expect(info.std[0]).toBeGreaterThan(0.34);
    expect(info.std[0]).toBeLessThan(0.37);
    expect(JSON.parse(JSON.stringify(info))).toEqual(info);
  });
});

describe.skipIf(!existsSync(join(DEBIAN_FASHION_MNIST_DIR, 'train-images-idx3-ubyte.gz')))('Debian Fashion-MNIST', () => {
  it('loads the full set by name, recognized by its checksum', () => {
    const ds = loadDataset({ data: 'debian' });
    expect(ds).toMatchObject({ name: 'fashion-mnist', source: 'debian', shape: [28, 28, 1] });
    expect(ds.train.count).toBe(60_000);
    expect(ds.test.count).toBe(10_000);
    expect(ds.checksum).toBe(FASHION_MNIST_CHECKSUM);
  });

  it('rebuilds the embedded subset byte for byte from the full set', () => {
    const rebuilt = makeEmbeddedSubset(loadDataset({ data: 'debian' }));
    expect(rebuilt.checksum).toBe(EMBEDDED_FASHION_MNIST.checksum);
    const embedded = loadDataset();
    // Compared as Buffers: a deep equality over 7.8 million elements would take minutes.
    const view = (a: Uint8Array) => Buffer.from(a.buffer, a.byteOffset, a.length);
    const same = (a: Uint8Array, b: Uint8Array) => view(a).equals(view(b));
    expect(same(rebuilt.train.images, embedded.train.images)).toBe(true);
    expect(same(rebuilt.test.images, embedded.test.images)).toBe(true);
    expect(Array.from(rebuilt.train.labels)).toEqual(Array.from(embedded.train.labels));
  });
});
