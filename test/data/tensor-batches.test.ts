import * as tf from '../helpers/tfjs.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { typedBatches, type BatchOptions } from '../../src/data/batches.js';
import { disposeBatch, tensorBatches, tensorBatchStream } from '../../src/data/tensor-batches.js';
import { syntheticSet } from './fixtures.js';

const set = syntheticSet(21, 6, 6, 1, 10);
const options: BatchOptions = { batchSize: 8, seed: 4, augment: { pad: 2, flip: true }, stats: { mean: [0.3], std: [0.4] } };

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

describe('tensorBatches', () => {
  it('yields NHWC float32 images and int32 labels equal to the typed batches', () => {
    const typed = [...typedBatches(set, options, 1)];
    let n = 0;
    for (const batch of tensorBatches(set, options, 1)) {
      const expected = typed[n++]!;
      expect(batch.x.shape).toEqual([batch.size, 6, 6, 1]);
      expect(batch.x.dtype).toBe('float32');
      expect(batch.y.dtype).toBe('int32');
      expect(batch.y.shape).toEqual([batch.size]);
      expect(batch.x.dataSync()).toEqual(expected.x);
      expect(Array.from(batch.y.dataSync())).toEqual(Array.from(expected.labels));
      disposeBatch(batch);
    }
    expect(n).toBe(3);
  });

  it('yields one-hot labels on request', () => {
    const [first] = tensorBatches(set, { ...options, shuffle: false, oneHot: 10 }, 0);
    expect(first!.y.shape).toEqual([8, 10]);
    expect(first!.y.dtype).toBe('float32');
    const rows = first!.y.arraySync();
    expect(rows.map((row) => row.indexOf(1))).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(rows.flat().reduce((a, b) => a + b, 0)).toBe(8);
    disposeBatch(first!);
  });

  it('leaks no tensor across an epoch when the consumer disposes each batch', () => {
    const before = tf.memory().numTensors;
    let batches = 0;
    for (const batch of tensorBatches(set, { ...options, oneHot: 10 }, 3)) {
      batches++;
      expect(tf.memory().numTensors).toBe(before + 2);
      disposeBatch(batch);
    }
    expect(batches).toBe(3);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('resumes at a batch index with the same tensors', () => {
    const all = [...tensorBatches(set, options, 5)];
    const tail = [...tensorBatches(set, options, 5, 2)];
    expect(tail).toHaveLength(1);
    expect(tail[0]!.x.dataSync()).toEqual(all[2]!.x.dataSync());
    for (const b of [...all, ...tail]) disposeBatch(b);
  });

  it('streams across epochs without leaking when each batch is disposed', () => {
    const before = tf.memory().numTensors;
    let n = 0;
    for (const batch of tensorBatchStream(set, { ...options, oneHot: 10 }, { epoch: 4, batch: 2 })) {
      expect(batch.y.shape).toEqual([batch.size, 10]);
      disposeBatch(batch);
      if (++n === 5) break;
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
