/** Building the search space a configuration describes. */
import type { Arch } from './arch.js';
import { bopsCost, budget, floatMacsCost, type Constraint, type CostFunction } from './constraints.js';
import type { SearchConfig, DecisionConfig } from './config.js';
import type { AnyDecision } from './decision.js';
import { activationBits, baseDilations, bases, blockOp, dilation, groupBoundary, stageWidth } from './decisions/index.js';
import { buildPreset, type PresetOptions } from './presets.js';
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
    case 'baseDilations':
      return baseDilations({ ...sites, ...(entry.choices ? { choices: entry.choices } : {}) });
    case 'blockOp':
      return blockOp({ ...sites, ...(entry.choices ? { choices: entry.choices } : {}) });
  }
}

/** The template architecture: the config's preset on its backbone. */
export function templateFromConfig(config: SearchConfig): Arch {
  return buildPreset(config.space.template, presetOptionsFromConfig(config));
}

/** The backbone options of a config (segmentation included), for the template and the presets compared with it. */
export function presetOptionsFromConfig(config: SearchConfig): PresetOptions {
  const b = config.backbone;
  return {
    backbone: b.name,
    widthMultiplier: b.widthMultiplier,
    ...(b.classes !== undefined ? { classes: b.classes } : {}),
    ...(b.segmentation
      ? { segmentation: { fcn: b.segmentation.fcn, classes: b.classes ?? 11, input: { ...b.segmentation.input }, lastDilations: b.segmentation.lastDilations } }
      : {}),
  };
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
