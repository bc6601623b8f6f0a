/**
 * Detecting collapse to the cheapest choices, the classic failure of differentiable NAS with a
 * cost term (DARTS users see the parameter-free ops win; here K = 1, 1 bit, one long group): the
 * cost gradient is steady while the task loss's is noisy, so a one-sided penalty drags every α to
 * its cheapest choice. The guards are (1) warm-up epochs with α frozen, so the weights of every
 * choice are trained before α compares them, and (2) the two-sided cost term (cost-objective.ts),
 * which pushes back up once E[cost] falls below the target. This check reports when the result
 * still lands on the cheapest architecture although the target leaves room for more.
 */
import type { Arch } from '../space/arch.js';
import type { CostObjectiveConfig } from '../space/config.js';
import type { SearchSpace } from '../space/search-space.js';
import { archCost, costBounds, type CostModel } from './cost-model.js';

/** A warning when `arch` costs the space's minimum while the target allows at least 10% more; else undefined. */
export function collapseWarning(space: SearchSpace, model: CostModel, arch: Arch, cost: CostObjectiveConfig): string | undefined {
  const minimum = costBounds(model).min;
  const own = archCost(model, arch);
  if (own > minimum * 1.0001) return undefined;
  if (cost.objective !== 'none' && cost.target !== undefined && cost.target < minimum * 1.1) return undefined;
  return (
    `the derived architecture of ${space.name} is the cheapest one the space holds (${own.toPrecision(4)} ${model.unit}) although ` +
    `${cost.objective === 'none' ? 'no cost term is set' : `the target is ${cost.target} ${model.unit}`}: α collapsed to the cheapest choices; try ` +
    `more warm-up epochs or a larger target`
  );
}
