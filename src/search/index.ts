/** Public API of src/search: the supernet, its relaxation, the bilevel trainer, cost models, derivation and search runs. */
export {
  supernetLayout,
  groupCanStart,
  maxWidth,
  BOUNDARY_KINDS,
  type BlockBranches,
  type BranchAxis,
  type BranchField,
  type SupernetLayout,
  type SiteSetting,
} from './supernet-layout.js';
export type { BranchMix, BranchMixInput, LayoutSlots, PlacedVariable, RelaxationHook } from './relaxation-hook.js';
export { registerRelaxation, relaxationKinds } from './relaxation-registry.js';
export { softmaxMix, drawBranch } from './mixed-op.js';
export { ArchitectureWeights, oneHotProbabilities, meanNormalizedEntropy, type ChoiceProbabilities } from './architecture-weights.js';
export { structureWeights, type StructureWeights } from './structure-weights.js';
export { Supernet, type SupernetOptions, type SupernetPass } from './supernet.js';
export { SuperBlock, type SuperBlockSpec, type BlockChoices, type ShortcutKind } from './super-block.js';
export { prefixMask, maskChannels, binaryWeightOverKept } from './channel-mask.js';
export { mixedQuantizer, type MixedQuantizerOptions } from './mixed-quantizer.js';
export { mixMaps } from './map-mix.js';
export {
  bopsCostModel,
  latencyCostModel,
  latencyEntriesOfSpace,
  costModelFor,
  expectedCost,
  archCost,
  costBounds,
  CONNECTION_KINDS,
  type BoundaryPrices,
  type CostModel,
  type ShapeAxis,
  type CostMetric,
  type PriceOptions,
} from './cost-model.js';
export { calibrationOnSpace, calibrationCachePath, type SpaceCalibrationOptions } from './space-calibration.js';
export { costLoss, costObjectiveFrom, type CostObjective } from './cost-objective.js';
export { BilevelTrainer, type BilevelOptions, type AlphaSampling, type StepResult, type ArchitectureStepResult } from './bilevel.js';
export { argmaxIndices, topCandidates, fitToTarget, type DerivedCandidate } from './derive.js';
export { collapseWarning } from './collapse.js';
export { alphaSvg, alphaSeriesOf, type AlphaSeries } from './alpha-plot.js';
export { niceAxis, tickLabel, escapeXml, type Axis } from './plot-svg.js';
export { runSearch, resumeSearch, checkNewSearchDir, costModelPricedNow, type SearchRunOptions, type SearchResult, type SupernetStart } from './search-run.js';
export {
  evaluateSearch,
  startSearchEvaluationPool,
  startPresetTraining,
  COMPARED_PRESETS,
  type EvaluationStageOptions,
  type EvaluationStageResult,
  type PresetTraining,
} from './search-evaluation.js';
export {
  SEARCH_FILES,
  SEARCH_LOG_FORMAT,
  CANDIDATES_FORMAT,
  searchFile,
  readSearchConfig,
  readSearchLog,
  readSearchLogToResume,
  SUPERNET_TRAINED_AGAIN,
  readCandidatesFile,
  candidatesProblems,
  pathFromRun,
  pathInRun,
  writeSearchConfig,
  type SearchLog,
  type SearchEpoch,
  type SearchCandidate,
  type CandidatesFile,
} from './search-directory.js';
export { validateRunDirectory } from './validate-run-directory.js';
export { searchPipeline, type SearchStart, type SearchPipelineOptions, type SearchPipelineResult } from './search-pipeline.js';
export { searchReport, type SearchReportInput, type ChosenArchitecture } from './report.js';
export { paretoFront, bestWithinBudget, accuracyVersusCost, dominates, type Objective } from './pareto.js';
export { paretoSvg, paretoPanelPoints, type ParetoPoint, type PanelPoints } from './pareto-plot.js';
export * from './evaluate/index.js';
