import { describe, expect, it } from 'vitest';
import {
  batchesPerEpoch,
  epochOrder,
  positionAfter,
  typedBatchAt,
  typedBatches,
  typedBatchStream,
  type BatchOptions,
  type TypedBatch,
} from '../../src/data/batches.js';
import { UsageError } from '../../src/util/errors.js';
import { syntheticSet } from './fixtures.js';

// 23 images of 4×4, batch 5: four full batches and one of 3.
const set = syntheticSet(23, 4, 4);
const base: BatchOptions = { batchSize: 5, seed: 11 };

/** The source index of every image in a batch, read back from its (unaugmented, [0,1]-scaled) pixels. */
function batchIds(batch: TypedBatch): number[] {
  const size = 16;
  return Array.from({ length: batch.size }, (_, i) => Math.round(batch.x[i * size]! * 255) + 256 * Math.round(batch.x[i * size + 1]! * 255));
}

const epochIds = (options: BatchOptions, epoch: number) => [...typedBatches(set, options, epoch)].map(batchIds);

describe('typedBatches', () => {
  it('covers every image exactly once per epoch, with matching labels and shapes', () => {
    const batches = [...typedBatches(set, base, 0)];
    expect(batches.map((b) => b.size)).toEqual([5, 5, 5, 5, 3]);
    expect(batches.map((b) => b.index)).toEqual([0, 1, 2, 3, 4]);
    expect(batches[4]!.shape).toEqual([3, 4, 4, 1]);
    expect(batches[4]!.x.length).toBe(3 * 16);
    const ids = batches.flatMap(batchIds);
    expect([...ids].sort((a, b) => a - b)).toEqual(Array.from({ length: 23 }, (_, i) => i));
    for (const b of batches) expect(Array.from(b.labels)).toEqual(batchIds(b).map((id) => set.labels[id]));
  });

  it('reshuffles every epoch, the same way for the same seed', () => {
    expect(epochIds(base, 0)).toEqual(epochIds(base, 0));
    expect(epochIds(base, 1)).not.toEqual(epochIds(base, 0));
    expect(epochIds({ ...base, seed: 12 }, 0)).not.toEqual(epochIds(base, 0));
  });

  it('keeps the source order without shuffling', () => {
    expect(epochIds({ ...base, shuffle: false }, 3).flat()).toEqual(Array.from({ length: 23 }, (_, i) => i));
  });

  it('drops the short last batch on request', () => {
    expect([...typedBatches(set, { ...base, dropLast: true }, 0)].map((b) => b.size)).toEqual([5, 5, 5, 5]);
    expect(batchesPerEpoch(23, { batchSize: 5, dropLast: true })).toBe(4);
    expect(batchesPerEpoch(23, { batchSize: 5 })).toBe(5);
  });

  it('resumes mid-epoch with exactly the same batches, augmentation included', () => {
    const options: BatchOptions = { ...base, augment: { pad: 1, flip: true }, stats: { mean: [0.5], std: [0.25] } };
    const full = [...typedBatches(set, options, 2)];
    const resumed = [...typedBatches(set, options, 2, 3)];
    expect(resumed.map((b) => b.index)).toEqual([3, 4]);
    expect(resumed).toEqual(full.slice(3));
    expect(typedBatchAt(set, options, 2, 1)).toEqual(full[1]);
    expect([...typedBatches(set, options, 2)]).toEqual(full);
  });

  it('augments differently per batch position and epoch', () => {
    const options: BatchOptions = { ...base, shuffle: false, augment: { pad: 2, flip: false } };
    const a = typedBatchAt(set, options, 0, 0);
    const b = typedBatchAt(set, options, 1, 0);
    expect(Array.from(a.labels)).toEqual(Array.from(b.labels));
    expect(a.x).not.toEqual(b.x);
  });

  it('normalizes with the given statistics', () => {
    const plain = typedBatchAt(set, { ...base, shuffle: false }, 0, 0);
    const normalized = typedBatchAt(set, { ...base, shuffle: false, stats: { mean: [0.5], std: [0.25] } }, 0, 0);
    for (let i = 0; i < plain.x.length; i++) expect(normalized.x[i]).toBeCloseTo((plain.x[i]! - 0.5) / 0.25, 5);
  });

  it('rejects bad options', () => {
    expect(() => [...typedBatches(set, { batchSize: 0, seed: 1 }, 0)]).toThrow(UsageError);
    expect(() => typedBatchAt(set, { batchSize: 4, seed: -1 }, 0, 0)).toThrow(/seed: expected a non-negative integer/);
    expect(() => typedBatchAt(set, base, 0, 5)).toThrow(/batch index 5 out of range 0\.\.4/);
  });
});

describe('typedBatchStream', () => {
  const options: BatchOptions = { ...base, augment: { pad: 1, flip: false } };

  function take(stream: Generator<TypedBatch>, n: number): TypedBatch[] {
    const out: TypedBatch[] = [];
    for (const batch of stream) {
      out.push(batch);
      if (out.length === n) break;
    }
    return out;
  }

  it('runs on across epochs, equal to the per-epoch batches', () => {
    const streamed = take(typedBatchStream(set, options), 12);
    expect(streamed.map((b) => [b.epoch, b.index])).toEqual([
      [0, 0], [0, 1], [0, 2], [0, 3], [0, 4], [1, 0], [1, 1], [1, 2], [1, 3], [1, 4], [2, 0], [2, 1],
    ]);
    expect(streamed.slice(5, 10)).toEqual([...typedBatches(set, options, 1)]);
  });

  it('resumes from the position recorded after any batch', () => {
    const streamed = take(typedBatchStream(set, options), 9);
    for (const k of [2, 4, 6]) {
      const position = positionAfter(streamed[k]!, set.count, options);
      expect(take(typedBatchStream(set, options, position), 9 - k - 1)).toEqual(streamed.slice(k + 1));
    }
    expect(positionAfter(streamed[4]!, set.count, options)).toEqual({ epoch: 1, batch: 0 });
  });

  it('refuses a set too small for one batch', () => {
    expect(() => take(typedBatchStream(syntheticSet(3, 2, 2), { batchSize: 5, seed: 1, dropLast: true }), 1)).toThrow(/make no batch/);
  });
});

describe('epochOrder', () => {
  it('is a permutation', () => {
    const order = Array.from(epochOrder(100, 5, 9));
    expect([...order].sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(order).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
  });
});
