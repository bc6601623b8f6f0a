import { describe, expect, it } from 'vitest';
import { classCounts } from '../../src/data/image-set.js';
import { balancedSubset } from '../../src/data/subset.js';
import { imageId, syntheticSet } from './fixtures.js';

describe('balancedSubset', () => {
  const set = syntheticSet(200, 2, 2, 1, 4);

  it('draws the same number of images from every class, each image at most once', () => {
    const subset = balancedSubset(set, 4, 7, 1);
    expect(subset.count).toBe(28);
    expect(classCounts(subset.labels, 4)).toEqual([7, 7, 7, 7]);
    const ids = Array.from({ length: subset.count }, (_, i) => imageId(subset, i));
    expect(new Set(ids).size).toBe(28);
    ids.forEach((id, i) => expect(set.labels[id]).toBe(subset.labels[i]));
  });

  it('is deterministic in the seed and mixes the classes', () => {
    const ids = (seed: number) => {
      const s = balancedSubset(set, 4, 7, seed);
      return Array.from({ length: s.count }, (_, i) => imageId(s, i));
    };
    expect(ids(1)).toEqual(ids(1));
    expect(ids(2)).not.toEqual(ids(1));
    const labels = Array.from(balancedSubset(set, 4, 7, 1).labels);
    expect(labels).not.toEqual([...labels].sort());
  });

  it('refuses a class that has too few images', () => {
    expect(() => balancedSubset(set, 5, 1, 1)).toThrow(/class 4 has 0 images, fewer than 1/);
  });
});
