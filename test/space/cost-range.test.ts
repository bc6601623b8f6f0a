import { describe, expect, it } from 'vitest';
import {
  activationBits,
  bases,
  bopsCost,
  buildPreset,
  costRange,
  floatMacsCost,
  groupBoundary,
  marginalCosts,
  SearchSpace,
  summarize,
} from '../../src/space/index.js';

const r4 = buildPreset('groupnet-k3', { widthMultiplier: 0.25 });

describe('costRange', () => {
  const space = new SearchSpace({
    template: r4,
    decisions: [bases({ max: 3, sites: [0, 2, 4] }), activationBits({ choices: [1, 4], sites: [0, 4] }), groupBoundary({ sites: [1, 3] })],
  });

  it('enumerates small spaces exactly', () => {
    const range = costRange(space, bopsCost);
    expect(range.exact).toBe(true);
    const k1 = summarize(buildPreset('groupnet-k1', { widthMultiplier: 0.25 })).totals.bops;
    expect(space.size()).toBeLessThan(2000n);
    // Groups at blocks 1, 3, 5 keep the template's K=3 and 1-bit activations, so the minimum is above K=1 everywhere.
    expect(range.min).toBeGreaterThan(k1);
    expect(range.max).toBeLessThan(k1 * 3 * 4);
    expect(range.max).toBe(Math.max(...space.enumerate().map((a) => summarize(a).totals.bops)));
    expect(bopsCost.evaluate(space.decode(range.argmin))).toBe(range.min);
  });

  it('coordinate search finds the same range for monotone costs', () => {
    for (const cost of [bopsCost, floatMacsCost]) {
      const exact = costRange(space, cost);
      const searched = costRange(space, cost, { exhaustiveLimit: 0 });
      expect(searched.exact).toBe(false);
      expect([searched.min, searched.max]).toEqual([exact.min, exact.max]);
    }
  });
});

describe('marginalCosts', () => {
  it('gives the cost change of each single choice around a reference', () => {
    const space = new SearchSpace({ template: r4, decisions: [bases({ max: 3 })] });
    const reference = space.encode({ ...r4, bases: r4.bases.map(() => 1) });
    const { base, delta } = marginalCosts(space, reference, bopsCost);
    expect(base).toBe(summarize(buildPreset('groupnet-k1', { widthMultiplier: 0.25 })).totals.bops);
    // Raising one group to K=3 adds twice that group's binary work; the deltas sum back to K=3 everywhere.
    const sumOfK3 = delta.reduce((s, d) => s + d[2]!, 0);
    expect(base + sumOfK3).toBe(3 * base);
    expect(delta.every((d) => d[0] === 0 && d[1]! > 0 && d[2] === 2 * d[1]!)).toBe(true);
  });
});
