/**
 * `results.json` of a reproduction: per preset the test accuracy of every finished seed, mean and
 * spread, the supplement's row beside it, and the verdict on each ordering the table checks.
 */
import { describeBudget, type ReproduceBudget } from './budget.js';
import { checkOrdering, type AccuracyStats, type OrderingVerdict } from './orderings.js';
import { seedStatistics, type SeedStatistics } from './seed-statistics.js';
import { citeSupplement, type SupplementRow } from './supplement.js';
import type { ReproductionTable } from './tables.js';

/** One finished (preset, seed) run; accuracy in %. */
export interface SeedRun {
  seed: number;
  /** Run directory, relative to the reproduction's directory. */
  dir: string;
  testAccuracy: number;
  testImages: number;
  trainingSeconds: number;
}

export interface PresetResult {
  preset: string;
  supplement: SupplementRow & { cite: string };
  note?: string;
  runs: SeedRun[];
  /** Seeds asked for that have no finished run yet. */
  missingSeeds: number[];
  /** Over `runs`, in %; absent while none has finished. */
  accuracy?: SeedStatistics;
}

export interface ReproductionResults {
  format: 'groupnas.reproduce-results';
  version: 1;
  table: string;
  title: string;
  budget: ReproduceBudget;
  budgetText: string;
  dataset: { name: string; checksum: string; train: number; test: number };
  seeds: number[];
  rows: PresetResult[];
  orderings: OrderingVerdict[];
  /** True when every (preset, seed) has finished. */
  complete: boolean;
}

export interface ResultsInput {
  table: ReproductionTable;
  budget: ReproduceBudget;
  dataset: ReproductionResults['dataset'];
  seeds: number[];
  /** Finished runs by preset. */
  runs: ReadonlyMap<string, SeedRun[]>;
}

export function buildResults(input: ResultsInput): ReproductionResults {
  const rows: PresetResult[] = input.table.rows.map((r) => {
    const runs = [...(input.runs.get(r.preset) ?? [])].sort((a, b) => a.seed - b.seed);
    return {
      preset: r.preset,
      supplement: { ...r.supplement, cite: citeSupplement(r.supplement) },
      ...(r.note !== undefined ? { note: r.note } : {}),
      runs,
      missingSeeds: input.seeds.filter((s) => !runs.some((run) => run.seed === s)),
      ...(runs.length > 0 ? { accuracy: seedStatistics(runs.map((run) => run.testAccuracy)) } : {}),
    };
  });
  const stats = new Map<string, AccuracyStats>(rows.filter((r) => r.accuracy).map((r) => [r.preset, r.accuracy!]));
  return {
    format: 'groupnas.reproduce-results',
    version: 1,
    table: input.table.name,
    title: input.table.title,
    budget: input.budget,
    budgetText: describeBudget(input.budget),
    dataset: input.dataset,
    seeds: input.seeds,
    rows,
    orderings: input.table.orderings.map((o) => checkOrdering(o, stats)),
    complete: rows.every((r) => r.missingSeeds.length === 0),
  };
}
