/** The search-space language and the files users keep: the public API of `src/space`. */
export type * from './arch.js';
export { DEFAULT_ACTIVATION_CLIP } from './activation-clip.js';
export { getBackbone, listBackbones, scaleWidth, type Backbone, type BackboneOptions } from './backbone.js';
export { fcnSkipBlock, segmentationBackbone, type SegmentationOptions } from './segmentation-backbone.js';
export { baseDilation, hasBaseDilations, withLastBlocksBpac } from './base-dilation.js';
export { buildArch, groupsOf, type GroupStructure } from './structure.js';
export { buildPreset, listPresets, type Preset, type PresetOptions } from './presets.js';
export { cloneDraft, draftGroups, fromDraft, groupContaining, startsGroup, toDraft, type ArchBody, type ArchDraft, type Boundary } from './draft.js';
export type { AnyDecision, ApplyContext, Decision, DecisionScope } from './decision.js';
export {
  candidateCount,
  candidateWeights,
  discrete,
  isPrefixMask,
  MIXED_OP,
  prefixMaskMatrix,
  relax,
  type BuiltInRelaxationKind,
  type ChoiceValue,
  type MixOps,
  type Relaxation,
  type RelaxedDecision,
} from './relaxation.js';
export * from './decisions/index.js';
export { canonicalArch, canonicalKey } from './canonical-arch.js';
export { sampleDistinctArchs } from './distinct-sample.js';
export { describeArch } from './arch-description.js';
export { SearchSpace, ENUMERATE_LIMIT, firstDifference, type SearchSpaceOptions, type SpaceVariable } from './search-space.js';
export { bopsCost, budget, floatMacsCost, memoryCost, type Constraint, type CostFunction } from './constraints.js';
export { costRange, costsOf, marginalCosts, type CostRange, type CostRangeOptions } from './cost-range.js';
export { addCounts, summarize, type ArchSummary, type CostCounts, type LayerSummary, type Shape3 } from './summary.js';
export { formatSummary, humanBytes, humanCount } from './summary-format.js';
export { jsonPath, schemaPath, readSchema, ValidationError, type Problem } from './schema-validation.js';
export { ARCH_FORMAT, ARCH_VERSION, archProblems, isArch } from './arch-validation.js';
export { checkArch, loadArch, parseArch, saveArch } from './arch-file.js';
export type * from './config.js';
export {
  CONFIG_FORMAT,
  CONFIG_VERSION,
  DEFAULT_CONFIG_FILE,
  applyOverrides,
  checkConfig,
  configProblems,
  loadConfig,
  parseConfig,
  parseOverride,
  type Override,
} from './config-file.js';
export { decisionFromConfig, presetOptionsFromConfig, spaceFromConfig, templateFromConfig, type SpaceFromConfigOptions } from './config-space.js';
