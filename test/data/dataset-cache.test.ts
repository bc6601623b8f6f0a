import { afterAll, describe, expect, it } from 'vitest';
import { utimesSync } from 'node:fs';
import { join } from 'node:path';
import { loadDatasetCached } from '../../src/data/dataset-cache.js';
import { removeTempDirs, syntheticSet, tempDir, writeIdxDir } from './fixtures.js';

afterAll(removeTempDirs);

describe('loadDatasetCached', () => {
  it('hands out the same data set again while its files are unchanged', () => {
    const dir = tempDir();
    writeIdxDir(dir, syntheticSet(12, 4, 4), syntheticSet(6, 4, 4));
    const first = loadDatasetCached({ data: dir });
    expect(loadDatasetCached({ data: dir })).toBe(first);
    expect(first.train.count).toBe(12);
  });

  it('reads the files again once they change, and when other data is asked for', () => {
    const dir = tempDir();
    writeIdxDir(dir, syntheticSet(12, 4, 4, 1, 10), syntheticSet(6, 4, 4), false);
    const first = loadDatasetCached({ data: dir });
    expect(first.train.labels[7]).toBe(7);
    // Same sizes, other labels: only the modification time tells (set apart explicitly: a fast rewrite may keep it).
    writeIdxDir(dir, syntheticSet(12, 4, 4, 1, 5), syntheticSet(6, 4, 4, 1, 5), false);
    utimesSync(join(dir, 'train-labels-idx1-ubyte'), new Date(), new Date(Date.now() + 5000));
    const changed = loadDatasetCached({ data: dir });
    expect(changed).not.toBe(first);
    expect(changed.train.labels[7]).toBe(2);

    writeIdxDir(dir, syntheticSet(20, 4, 4), syntheticSet(6, 4, 4), false);
    expect(loadDatasetCached({ data: dir }).train.count).toBe(20);

    const other = tempDir();
    writeIdxDir(other, syntheticSet(8, 4, 4), syntheticSet(6, 4, 4));
    const again = loadDatasetCached({ data: dir });
    expect(loadDatasetCached({ data: other }).train.count).toBe(8);
    expect(loadDatasetCached({ data: dir })).not.toBe(again); // only the last set is kept
  });
});
