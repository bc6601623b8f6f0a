import { describe, expect, it } from 'vitest';
import { channelStats, type Dataset } from '../../src/data/dataset.js';
import { classCounts, type ImageSet } from '../../src/data/image-set.js';
import { splitDataset } from '../../src/data/split.js';
import { UsageError } from '../../src/util/errors.js';
import { imageId, syntheticSet } from './fixtures.js';

function dataset(train: ImageSet, test: ImageSet): Dataset {
  return {
    name: 'synthetic',
    source: 'directory',
    path: '/tmp',
    format: 'idx',
    train,
    test,
    shape: [train.height, train.width, train.channels],
    classes: ['a', 'b', 'c', 'd', 'e'],
    checksum: '',
    stats: channelStats(train),
  };
}

const ids = (set: ImageSet) => Array.from({ length: set.count }, (_, i) => imageId(set, i));
const ds = dataset(syntheticSet(100, 3, 3, 1, 5), syntheticSet(40, 3, 3, 1, 5));

describe('splitDataset', () => {
  it('carves a class-balanced arch-val part out of train, disjoint, in source order', () => {
    const { train, archVal, test } = splitDataset(ds, { seed: 3, archValFraction: 0.5 });
    expect(train.count).toBe(50);
    expect(archVal.count).toBe(50);
    expect(classCounts(archVal.labels, 5)).toEqual([10, 10, 10, 10, 10]);
    expect(classCounts(train.labels, 5)).toEqual([10, 10, 10, 10, 10]);
    const all = [...ids(train), ...ids(archVal)].sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(ids(train)).toEqual([...ids(train)].sort((a, b) => a - b));
    expect(test).toBe(ds.test);
  });

  it('defaults to a 0.1 arch-val fraction', () => {
    const { train, archVal } = splitDataset(ds, { seed: 3 });
    expect(archVal.count).toBe(10);
    expect(classCounts(archVal.labels, 5)).toEqual([2, 2, 2, 2, 2]);
    expect(train.count).toBe(90);
  });

  it('is deterministic in the seed', () => {
    expect(ids(splitDataset(ds, { seed: 7, archValFraction: 0.3 }).archVal)).toEqual(
      ids(splitDataset(ds, { seed: 7, archValFraction: 0.3 }).archVal),
    );
    expect(ids(splitDataset(ds, { seed: 8, archValFraction: 0.3 }).archVal)).not.toEqual(
      ids(splitDataset(ds, { seed: 7, archValFraction: 0.3 }).archVal),
    );
  });

  it('limits to the first N training (and test) images before carving', () => {
    const { train, archVal, test } = splitDataset(ds, { seed: 1, archValFraction: 0.2, limit: 25, testLimit: 8 });
    expect(train.count + archVal.count).toBe(25);
    expect(archVal.count).toBe(5);
    expect(Math.max(...ids(train), ...ids(archVal))).toBe(24);
    expect(ids(test)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('allows an empty arch-val part', () => {
    expect(splitDataset(ds, { seed: 1, archValFraction: 0 }).archVal.count).toBe(0);
  });

  it('rejects bad fractions and limits', () => {
    expect(() => splitDataset(ds, { seed: 1, archValFraction: 1 })).toThrow(UsageError);
    expect(() => splitDataset(ds, { seed: 1, archValFraction: -0.1 })).toThrow(/archValFraction: expected a number in \[0, 1\)/);
    expect(() => splitDataset(ds, { seed: 1, limit: 0 })).toThrow(/limit: expected a positive integer, got 0/);
    expect(() => splitDataset(ds, { seed: 1, testLimit: 2.5 })).toThrow(/testLimit/);
  });
});
