import { describe, expect, it } from 'vitest';
import { kendallTau, ranks, spearmanRho } from '../../src/bench/rank-correlation.js';

describe('rank correlations', () => {
  it('are 1 for the same order, −1 for the reverse, whatever the scale', () => {
    const a = [0.61, 0.7, 0.65, 0.8];
    expect(
      kendallTau(
        a,
        a.map((v) => 10 * v + 3),
      ),
    ).toBeCloseTo(1, 12);
    expect(
      spearmanRho(
        a,
        a.map((v) => v ** 3),
      ),
    ).toBeCloseTo(1, 12);
    expect(
      kendallTau(
        a,
        a.map((v) => -v),
      ),
    ).toBeCloseTo(-1, 12);
    expect(
      spearmanRho(
        a,
        a.map((v) => -v),
      ),
    ).toBeCloseTo(-1, 12);
  });

  it('match hand-computed values, ties included', () => {
    // pairs of (1,2,3,4) vs (1,3,2,4): 5 concordant, 1 discordant → τ = 4/6; ρ = 1 − 6·2/(4·15) = 0.8
    expect(kendallTau([1, 2, 3, 4], [1, 3, 2, 4])).toBeCloseTo(4 / 6, 12);
    expect(spearmanRho([1, 2, 3, 4], [1, 3, 2, 4])).toBeCloseTo(0.8, 12);
    expect(ranks([5, 1, 5, 3])).toEqual([3.5, 1, 3.5, 2]);
    // τ-b with a tie in b: pairs (1,2) tied in b; concordant 5, discordant 0, tiesB 1 → 5/√(6·5)
    expect(kendallTau([1, 2, 3, 4], [1, 1, 2, 3])).toBeCloseTo(5 / Math.sqrt(30), 12);
  });

  it('refuse unpaired or single scores', () => {
    expect(() => kendallTau([1, 2], [1])).toThrow(/2 scores against 1/);
    expect(() => spearmanRho([1], [1])).toThrow(/at least two/);
  });
});
