import { describe, expect, it } from 'vitest';
import { checkOrdering, type AccuracyStats, type ChainOrdering, type WithinOrdering } from '../../src/reproduce/orderings.js';

const at = (mean: number, spread = 0): AccuracyStats => ({ mean, min: mean - spread, max: mean + spread });
const stats = (entries: Record<string, AccuracyStats>) => new Map(Object.entries(entries));

const rising: ChainOrdering = { kind: 'chain', relation: '<', presets: ['k1', 'k3', 'k5'], labels: ['K=1', 'K=3', 'K=5'], source: 'S2' };
const falling: ChainOrdering = { kind: 'chain', relation: '≥', presets: ['gn', 'v1', 'v2'], labels: ['Group-Net', 'GBD v1', 'GBD v2'], source: 'S1' };
const within: WithinOrdering = { kind: 'within', preset: 'a4', reference: 'fp', points: 1, labels: ['K=5 A4', 'FP'], source: 'S6' };

describe('checkOrdering', () => {
  it('a strict chain holds when every mean rises, and names the first pair that breaks it otherwise', () => {
    expect(checkOrdering(rising, stats({ k1: at(79), k3: at(81.2), k5: at(82) }))).toMatchObject({
      claim: 'K=1 < K=3 < K=5',
      status: 'holds',
      detail: '79.00 < 81.20 < 82.00',
    });
    const broken = checkOrdering(rising, stats({ k1: at(79), k3: at(81.2), k5: at(79) }));
    expect(broken.status).toBe('does not hold');
    expect(broken.detail).toContain('K=3 81.20 vs K=5 79.00');
  });

  it('a tie breaks a strict chain but keeps a non-strict one', () => {
    expect(checkOrdering(rising, stats({ k1: at(80), k3: at(80), k5: at(82) })).status).toBe('does not hold');
    expect(checkOrdering(falling, stats({ gn: at(85), v1: at(85), v2: at(84) })).status).toBe('holds');
    expect(checkOrdering(falling, stats({ gn: at(84), v1: at(85), v2: at(83) })).status).toBe('does not hold');
  });

  it('says when a holding order rests on overlapping seed ranges', () => {
    const v = checkOrdering(rising, stats({ k1: at(79, 0.5), k3: at(80, 0.6), k5: at(82, 0.1) }));
    expect(v.status).toBe('holds');
    expect(v.detail).toContain('seed ranges overlap: K=1/K=3');
    expect(v.detail).not.toContain('K=3/K=5');
  });

  it('within one point: exactly one point below holds, a little more does not, above always holds', () => {
    // 8004/10000 vs 7904/10000 in %: a gap of exactly 1 point that floating point makes 1.0000000000000142
    expect((8004 / 10000) * 100 - (7904 / 10000) * 100).toBeGreaterThan(1);
    expect(checkOrdering(within, stats({ a4: at((7904 / 10000) * 100), fp: at((8004 / 10000) * 100) })).status).toBe('holds');
    expect(checkOrdering(within, stats({ a4: at(83.0), fp: at(84.05) }))).toMatchObject({
      status: 'does not hold',
      detail: 'K=5 A4 83.00, FP 84.05: 1.05 pt below',
    });
    expect(checkOrdering(within, stats({ a4: at(85.1), fp: at(84.3) }))).toMatchObject({ status: 'holds', detail: 'K=5 A4 85.10, FP 84.30: 0.80 pt above' });
  });

  it('is incomplete while a preset has no finished run, naming it', () => {
    expect(checkOrdering(rising, stats({ k1: at(79), k5: at(82) }))).toMatchObject({ status: 'incomplete', detail: 'no finished run of k3' });
    expect(checkOrdering(within, stats({ a4: at(80) }))).toMatchObject({ status: 'incomplete', detail: 'no finished run of fp' });
  });
});
