/** Small-scale reproductions of the supplement's tables (`groupnas reproduce`). */
export {
  reproduceTable,
  rowDirName,
  RESULTS_JSON,
  RESULTS_MD,
  type ReproduceOptions,
  type ReproduceOutcome,
  type RowOutcome,
  type RowAction,
} from './reproduce-table.js';
export { isReproduceDirectory, validateReproduceDirectory } from './validate-reproduce-directory.js';
export { getTable, TABLE_NAMES, type TableName, type ReproductionTable, type TableRow } from './tables.js';
export { checkOrdering, orderingClaim, type Ordering, type ChainOrdering, type WithinOrdering, type OrderingVerdict, type AccuracyStats } from './orderings.js';
export { describeBudget, describeDifferences, rowTrainingOptions, UNDISTILLED_PRESET, type ReproduceBudget } from './budget.js';
export { buildResults, type ReproductionResults, type PresetResult, type SeedRun } from './results.js';
export { resultsMarkdown } from './results-markdown.js';
export { seedStatistics, type SeedStatistics } from './seed-statistics.js';
export { citeSupplement, type SupplementRow } from './supplement.js';
