import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCifar10Batch, readCifar10Batch } from '../../src/data/cifar10.js';
import { FileFormatError } from '../../src/util/errors.js';
import { cifarBytes, removeTempDirs, tempDir } from './fixtures.js';

afterAll(removeTempDirs);

describe('CIFAR-10 reader', () => {
  it('reads records and converts CHW planes to NHWC', () => {
    const file = join(tempDir(), 'data_batch_1.bin');
    writeFileSync(file, cifarBytes(3, 7));
    const set = readCifar10Batch(file);
    expect(set).toMatchObject({ count: 3, height: 32, width: 32, channels: 3 });
    expect(Array.from(set.labels)).toEqual([7, 8, 9]);
    expect(set.images.length).toBe(3 * 3072);
    for (const [i, p, c] of [[0, 0, 0], [0, 0, 2], [1, 5, 1], [2, 1023, 2], [2, 33, 0]] as const) {
      expect(set.images[i * 3072 + p * 3 + c]).toBe((i + 3 * p + c) % 256);
    }
  });

  it('rejects a size that is not a multiple of 3073, naming the file', () => {
    const bytes = cifarBytes(2);
    expect(() => parseCifar10Batch(bytes.subarray(0, 5000), 'data_batch_2.bin')).toThrow(
      /^data_batch_2\.bin: size: expected a positive multiple of 3073 bytes .* found 5000 bytes$/,
    );
  });

  it('rejects an empty file', () => {
    expect(() => parseCifar10Batch(new Uint8Array(0), 'test_batch.bin')).toThrow(/test_batch\.bin: size: .*found 0 bytes/);
  });

  it('recognizes CIFAR-100 records in the error', () => {
    expect(() => parseCifar10Batch(new Uint8Array(2 * 3074), 'train.bin')).toThrow(/fits CIFAR-100 records/);
  });

  it('rejects a label above 9, naming the record', () => {
    const bytes = cifarBytes(4);
    bytes[2 * 3073] = 12;
    let error: unknown;
    try {
      parseCifar10Batch(bytes, 'data_batch_3.bin');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(FileFormatError);
    expect((error as Error).message).toBe('data_batch_3.bin: record 2: label: expected 0..9, found 12');
  });
});
