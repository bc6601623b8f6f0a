import { describe, expect, it } from 'vitest';
import { popcount32 } from '../../src/kernels/popcount.js';
import { createRng } from '../../src/util/random.js';

describe('popcount32', () => {
  it('counts set bits of any 32-bit word, signed or not', () => {
    expect(popcount32(0)).toBe(0);
    expect(popcount32(0xffffffff)).toBe(32);
    expect(popcount32(-1)).toBe(32);
    expect(popcount32(1 << 31)).toBe(1);
    const rng = createRng(8);
    for (let i = 0; i < 200; i++) {
      const x = Math.floor(rng() * 2 ** 32);
      expect(popcount32(x)).toBe(
        x
          .toString(2)
          .split('')
          .filter((b) => b === '1').length,
      );
    }
  });
});
