/**
 * Budgets a search space keeps its architectures inside, and the cost functions they are written
 * in. Cost functions are pluggable: BOPs and float MACs come from `summarize`; predicted latency
 * (the kernels' look-up table) plugs in as another `CostFunction`.
 */
import type { Arch } from './arch.js';
import { summarize } from './summary.js';

/** A scalar cost of an architecture (BOPs, MACs, predicted latency in ms, …). */
export interface CostFunction {
  name: string;
  unit: string;
  evaluate(arch: Arch): number;
}

export const bopsCost: CostFunction = { name: 'bops', unit: 'BOPs', evaluate: (arch) => summarize(arch).totals.bops };
export const floatMacsCost: CostFunction = { name: 'floatMacs', unit: 'MACs', evaluate: (arch) => summarize(arch).totals.floatMacs };
export const memoryCost: CostFunction = { name: 'memory', unit: 'bytes', evaluate: (arch) => summarize(arch).totals.memoryBytes };

export interface Constraint {
  name: string;
  /** undefined when `arch` satisfies the constraint, else what is wrong. */
  check(arch: Arch): string | undefined;
}

/** `cost(arch) ≤ max`. */
export function budget(cost: CostFunction, max: number): Constraint {
  return {
    name: `${cost.name} ≤ ${max}`,
    check(arch) {
      const value = cost.evaluate(arch);
      return value <= max ? undefined : `${cost.name} ${value} ${cost.unit} exceeds the budget ${max}`;
    },
  };
}
