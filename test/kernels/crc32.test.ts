import { describe, expect, it } from 'vitest';
import { crc32 } from '../../src/kernels/crc32.js';

describe('crc32', () => {
  it('matches the IEEE CRC-32 check value and respects the range', () => {
    const bytes = new TextEncoder().encode('123456789');
    expect(crc32(bytes)).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
    const padded = new Uint8Array([7, ...bytes, 9]);
    expect(crc32(padded, 1, 10)).toBe(0xcbf43926);
  });
});
