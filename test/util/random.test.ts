import { describe, expect, it } from 'vitest';
import { createRng, deriveSeed, randomInt, shuffle } from '../../src/util/random.js';

describe('random', () => {
  it('the same seed gives the same sequence, another seed another', () => {
    const a = createRng(7),
      b = createRng(7),
      c = createRng(8);
    const sa = [a(), a(), a()],
      sb = [b(), b(), b()],
      sc = [c(), c(), c()];
    expect(sa).toEqual(sb);
    expect(sa).not.toEqual(sc);
  });

  it('shuffle is a seeded permutation', () => {
    const items = Array.from({ length: 50 }, (_, i) => i);
    const s1 = shuffle(createRng(1), [...items]);
    expect(s1).toEqual(shuffle(createRng(1), [...items]));
    expect([...s1].sort((x, y) => x - y)).toEqual(items);
    expect(s1).not.toEqual(items);
  });

  it('randomInt stays in range and derived seeds differ per label', () => {
    const rng = createRng(3);
    for (let i = 0; i < 1000; i++) {
      const v = randomInt(rng, 5);
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThan(5);
    }
    expect(deriveSeed(1, 'data')).not.toBe(deriveSeed(1, 'init'));
    expect(deriveSeed(1, 'data')).toBe(deriveSeed(1, 'data'));
  });
});
