/**
 * Costs over a search space: the range a cost function spans (for `groupnas space`) and the
 * per-choice marginal costs a supernet's differentiable cost term can use
 * (E[cost] ≈ cost(ref) + Σ_variables Σ_choices p · Δcost, linearized around a reference).
 */
import type { Arch } from './arch.js';
import type { CostFunction } from './constraints.js';
import type { SearchSpace } from './search-space.js';

export interface CostRange {
  cost: string;
  unit: string;
  min: number;
  max: number;
  argmin: number[];
  argmax: number[];
  /** true: every architecture was evaluated; false: coordinate search (exact when the cost is monotone in each choice). */
  exact: boolean;
}

export interface CostRangeOptions {
  /** Enumerate spaces up to this many architectures; search the larger ones coordinate-wise. Default 2000. */
  exhaustiveLimit?: number;
}

export function costRange(space: SearchSpace, cost: CostFunction, options: CostRangeOptions = {}): CostRange {
  const limit = BigInt(options.exhaustiveLimit ?? 2000);
  const evaluate = (indices: readonly number[]) => cost.evaluate(space.decode(indices));
  if (space.size() <= limit) {
    let min = { value: Infinity, at: [] as number[] };
    let max = { value: -Infinity, at: [] as number[] };
    for (const indices of space.enumerateIndices()) {
      const value = evaluate(indices);
      if (value < min.value) min = { value, at: indices };
      if (value > max.value) max = { value, at: indices };
    }
    return { cost: cost.name, unit: cost.unit, min: min.value, max: max.value, argmin: min.at, argmax: max.at, exact: true };
  }
  const low = coordinateSearch(space, evaluate, 1);
  const high = coordinateSearch(space, evaluate, -1);
  return { cost: cost.name, unit: cost.unit, min: low.value, max: -high.value, argmin: low.at, argmax: high.at, exact: false };
}

/**
 * Minimize sign·cost one variable at a time until no single change improves it, from two starts
 * (every first choice, every last choice: built-in choices are ordered, so one of them is usually
 * near the optimum, and a structural change that only pays off with a second change is still found).
 */
function coordinateSearch(space: SearchSpace, evaluate: (indices: readonly number[]) => number, sign: 1 | -1): { value: number; at: number[] } {
  const starts = [space.variables.map(() => 0), space.variables.map((v) => v.choices.length - 1)];
  const results = starts.map((start) => descend(space, evaluate, sign, start));
  return results.reduce((best, r) => (r.value < best.value ? r : best));
}

function descend(space: SearchSpace, evaluate: (indices: readonly number[]) => number, sign: 1 | -1, start: number[]): { value: number; at: number[] } {
  let at = start;
  let value = sign * evaluate(at);
  for (let sweep = 0; sweep < 20; sweep++) {
    let improved = false;
    space.variables.forEach((v, i) => {
      for (let c = 0; c < v.choices.length; c++) {
        if (c === at[i]) continue;
        const trial = [...at];
        trial[i] = c;
        const candidate = sign * evaluate(trial);
        if (candidate < value) {
          value = candidate;
          at = trial;
          improved = true;
        }
      }
    });
    if (!improved) break;
  }
  return { value, at: space.encode(space.decode(at)) };
}

/**
 * `delta[v][c]` = cost of the reference with variable v set to choice c, minus the reference's
 * cost. Re-linearize around the current argmax as the search moves.
 */
export function marginalCosts(space: SearchSpace, reference: readonly number[], cost: CostFunction): { base: number; delta: number[][] } {
  const base = cost.evaluate(space.decode(reference));
  const delta = space.variables.map((v, i) =>
    v.choices.map((_, c) => {
      if (c === reference[i]) return 0;
      const trial = [...reference];
      trial[i] = c;
      return cost.evaluate(space.decode(trial)) - base;
    }),
  );
  return { base, delta };
}

/** Cost of an architecture under several cost functions at once, keyed by name. */
export function costsOf(arch: Arch, costs: readonly CostFunction[]): Record<string, number> {
  return Object.fromEntries(costs.map((c) => [c.name, c.evaluate(arch)]));
}
