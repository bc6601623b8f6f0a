/**
 * How the cost enters the architecture loss (DESIGN §4), with `E` the expected cost and `T` the target:
 *
 * - `multiplicative` (FBNet's form with the target as unit): `L = scale · task · max(E/T, T/E)^exponent`
 *   (`scale` is FBNet's α: under Adam it only sets the loss's weight against α's weight decay).
 *   FBNet's `CE·α·(log LAT)^β` only ever pushes cost down, so the search ends wherever the push
 *   and the task loss happen to balance; measuring E in units of T and penalising both sides
 *   (MnasNet's soft target) makes the target the point the search settles at.
 * - `additive`: `L = task + weight · |E/T − 1|` (TF-NAS-style two-sided budget).
 * - `none`: `L = task`.
 *
 * Both sides matter for stability as well: a one-sided cost term is the classic way a
 * differentiable search collapses to the cheapest choices (K = 1, 1 bit) once the task loss stops
 * discriminating; below the target this term pushes *up*, which is the guard (see collapse test).
 */
import * as tf from '../util/tfjs.js';
import type { CostObjectiveConfig } from '../space/config.js';
import { UsageError } from '../util/errors.js';

export interface CostObjective {
  kind: CostObjectiveConfig['objective'];
  target: number;
  scale: number;
  exponent: number;
  weight: number;
}

/** The architecture loss is the task loss alone (benchmarks and tests of the mechanics, not of the cost). */
export const NO_COST_TERM: Readonly<CostObjective> = { kind: 'none', target: 1, scale: 1, exponent: 0, weight: 0 };

/**
 * The cost config with an absolute target: `target` as given, else `relativeTarget` × the
 * template's cost under the search's price list (so a latency target follows the machine).
 */
export function resolveCostTarget(config: CostObjectiveConfig, templateCost: () => number): CostObjectiveConfig {
  if (config.target !== undefined || config.relativeTarget === undefined) return config;
  return { ...config, target: config.relativeTarget * templateCost() };
}

export function costObjectiveFrom(config: CostObjectiveConfig, source = 'cost'): CostObjective {
  if (config.objective !== 'none' && !(config.target !== undefined && config.target > 0)) {
    throw new UsageError(`${source}.target: expected a cost > 0 for objective "${config.objective}" (or objective "none")`);
  }
  return { kind: config.objective, target: config.target ?? 1, scale: config.scale, exponent: config.exponent, weight: config.weight };
}

/** The architecture loss from the task loss and the expected cost (untidied). */
export function costLoss(objective: CostObjective, task: tf.Scalar, expected: tf.Scalar): tf.Scalar {
  if (objective.kind === 'none') return task;
  const ratio = tf.div(expected, objective.target);
  if (objective.kind === 'additive') return tf.add(task, tf.mul(objective.weight, tf.abs(tf.sub(ratio, 1)))) as tf.Scalar;
  const logRatio = tf.abs(tf.log(ratio));
  return tf.mul(tf.mul(task, objective.scale), tf.exp(tf.mul(objective.exponent, logRatio))) as tf.Scalar;
}
