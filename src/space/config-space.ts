/** Building the search space a configuration describes. */
import type { Arch } from './arch.js';
import { bopsCost, budget, floatMacsCost, type Constraint, type CostFunction } from './constraints.js';
import type { SearchConfig, DecisionConfig } from './config.js';
import type { AnyDecision } from './decision.js';
import { activationBits, bases, dilation, groupBoundary, stageWidth } from './decisions/index.js';
import { buildPreset } from './presets.js';
import { SearchSpace } from './search-space.js';

export function decisionFromConfig(entry: DecisionConfig): AnyDecision {
  const sites = entry.sites ? { sites: entry.sites } : {};
  switch (entry.type) {
    case 'bases':
      return bases({ ...sites, ...(entry.choices ? { choices: entry.choices } : {}) });
    case 'groupBoundary':
      return groupBoundary({ ...sites, ...(entry.choices ? { choices: entry.choices } : {}) });
    case 'stageWidth':
      return stageWidth({ ...sites, ...(entry.choices ? { choices: entry.choices } : {}) });
    case 'activationBits':
      return activationBits({ ...sites, ...(entry.choices ? { choices: entry.choices } : {}) });
    case 'dilation':
      return dilation({ ...sites, ...(entry.choices ? { choices: entry.choices } : {}) });
  }
}

/** The template architecture: the config's preset on its backbone. */
export function templateFromConfig(config: SearchConfig): Arch {
  return buildPreset(config.space.template, {
    backbone: config.backbone.name,
    widthMultiplier: config.backbone.widthMultiplier,
    ...(config.backbone.classes !== undefined ? { classes: config.backbone.classes } : {}),
  });
}

export interface SpaceFromConfigOptions {
  /** Predicted latency (ms), e.g. from the kernels' LUT; without it `maxLatencyMs` cannot be enforced. */
  latency?: CostFunction;
}

export function spaceFromConfig(config: SearchConfig, options: SpaceFromConfigOptions = {}): SearchSpace {
  const constraints: Constraint[] = [];
  const budgets = config.space.constraints;
  if (budgets.maxBops !== undefined) constraints.push(budget(bopsCost, budgets.maxBops));
  if (budgets.maxFloatMacs !== undefined) constraints.push(budget(floatMacsCost, budgets.maxFloatMacs));
  if (budgets.maxLatencyMs !== undefined && options.latency) constraints.push(budget(options.latency, budgets.maxLatencyMs));
  return new SearchSpace({
    name: config.name ?? `${config.space.template}/${config.backbone.name}`,
    template: templateFromConfig(config),
    decisions: config.space.decisions.map(decisionFromConfig),
    constraints,
  });
}
