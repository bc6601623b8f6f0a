import { describe, expect, it } from 'vitest';
import { accuracyVersusCost, bestWithinBudget, dominates, paretoFront } from '../../src/search/pareto.js';

interface P {
  name: string;
  acc: number;
  ms: number;
}

const objectives = accuracyVersusCost(
  (p: P) => p.acc,
  'latency',
  (p: P) => p.ms,
);
const names = (points: P[], indices: number[]) => indices.map((i) => points[i]!.name);

describe('Pareto front', () => {
  it('dominance needs at least as good everywhere and strictly better somewhere', () => {
    const a = { name: 'a', acc: 0.9, ms: 2 };
    expect(dominates(a, { name: 'b', acc: 0.8, ms: 3 }, objectives)).toBe(true);
    expect(dominates(a, { name: 'c', acc: 0.9, ms: 3 }, objectives)).toBe(true); // tie on accuracy, cheaper
    expect(dominates(a, { name: 'd', acc: 0.95, ms: 3 }, objectives)).toBe(false); // trade-off
    expect(dominates(a, { ...a }, objectives)).toBe(false); // equal points do not dominate each other
  });

  it('keeps exactly the non-dominated points, cheapest first', () => {
    const points: P[] = [
      { name: 'slow-best', acc: 0.92, ms: 9 },
      { name: 'dominated', acc: 0.85, ms: 5 },
      { name: 'fast', acc: 0.8, ms: 1 },
      { name: 'middle', acc: 0.88, ms: 4 },
      { name: 'worse-and-slower', acc: 0.87, ms: 9.5 },
      { name: 'twin-of-middle', acc: 0.88, ms: 4 },
    ];
    expect(names(points, paretoFront(points, objectives))).toEqual(['fast', 'middle', 'twin-of-middle', 'slow-best']);
  });

  it('the front over accuracy vs BOPs can differ from the one over measured latency', () => {
    // b is cheaper in BOPs but slower when measured (e.g. more bases at fewer bits)
    const points = [
      { name: 'a', acc: 0.9, ms: 2, bops: 8e6 },
      { name: 'b', acc: 0.85, ms: 3, bops: 4e6 },
    ];
    expect(names(points, paretoFront(points, objectives))).toEqual(['a']);
    expect(
      names(
        points,
        paretoFront(
          points,
          accuracyVersusCost(
            (p) => p.acc,
            'bops',
            (p) => p.bops,
          ),
        ),
      ),
    ).toEqual(['b', 'a']);
  });

  it('leaves out points with a missing (NaN) or infinite value, e.g. failed or untimed candidates', () => {
    const points: P[] = [
      { name: 'ok', acc: 0.8, ms: 3 },
      { name: 'untimed', acc: 0.99, ms: NaN },
      { name: 'failed', acc: NaN, ms: 0.1 },
      { name: 'infinite', acc: 0.95, ms: Infinity },
    ];
    expect(names(points, paretoFront(points, objectives))).toEqual(['ok']);
    expect(paretoFront([], objectives)).toEqual([]);
  });

  it('best within a budget: the most accurate point that fits, the cheaper of equals, none when nothing fits', () => {
    const points: P[] = [
      { name: 'a', acc: 0.8, ms: 1 },
      { name: 'b', acc: 0.9, ms: 5 },
      { name: 'c', acc: 0.9, ms: 4 },
      { name: 'd', acc: 0.95, ms: 8 },
      { name: 'e', acc: NaN, ms: 0.5 },
    ];
    const pick = (budget: number) =>
      bestWithinBudget(
        points,
        (p) => p.acc,
        (p) => p.ms,
        budget,
      );
    expect(pick(6)).toBe(2);
    expect(pick(4)).toBe(2); // the budget itself is allowed
    expect(pick(3)).toBe(0);
    expect(pick(100)).toBe(3);
    expect(pick(0.9)).toBeUndefined();
    // the chosen point always lies on the front
    for (const budget of [1, 3, 4, 6, 100]) expect(paretoFront(points, objectives)).toContain(pick(budget));
  });
});
