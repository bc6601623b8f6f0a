/**
 * `groupnas reproduce`: train every (preset, seed) row of a table at one budget, each an ordinary
 * training run directory under `out`, and write the table beside the supplement's numbers.
 *
 *   out/reproduce.json         the budget (and data checksum) every row here was trained with
 *   out/<preset>-seed<s>/      a training run (train/run-directory.ts)
 *   out/results.json|.md       the table of the last invocation, rewritten after every row
 *
 * Resumable across sessions: a finished row is kept, a started one resumes from
 * its last checkpoint, so rerunning the same command after a kill continues where it stopped.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadDataset, type Dataset } from '../data/index.js';
import { buildPreset } from '../space/presets.js';
import { readRunRecord, readRunResult, runState, trainingSeconds } from '../train/run-directory.js';
import { resumeTraining, trainArch } from '../train/training-run.js';
import { makeDirectory, writeFileAtomic, writeJsonAtomic } from '../util/atomic-write.js';
import { UsageError } from '../util/errors.js';
import { readStampedJsonFile } from '../util/json-file.js';
import { lockRunDirectory } from '../util/run-lock.js';
import { silentProgress, type ProgressReporter } from '../util/progress.js';
import { checkBudget, describeDifferences, rowTrainingOptions, type ReproduceBudget } from './budget.js';
import { buildResults, type ReproductionResults, type SeedRun } from './results.js';
import { resultsMarkdown } from './results-markdown.js';
import { getTable, type ReproductionTable } from './tables.js';

export interface ReproduceOptions {
  /** `bases`, `decompositions`, `bits`, or a table of one's own (presets by name, orderings to check). */
  table: string | ReproductionTable;
  budget: ReproduceBudget;
  seeds: number[];
  out: string;
  /** Train only these of the table's presets (default: all); the other rows' orderings show as incomplete. */
  presets?: string[];
  /** Checkpoint every N steps inside an epoch, so a kill loses little (does not change results). */
  checkpointEverySteps?: number;
  /** Each row's training bar, labelled with the row. */
  progress?: ProgressReporter;
  /** One line per row as it starts (and the reasons rows are kept or resumed). */
  log?: (line: string) => void;
}

/** What this invocation did with a row: trained it from scratch, resumed a partial run, or found it finished. */
export type RowAction = 'trained' | 'resumed' | 'finished earlier';

export interface RowOutcome {
  preset: string;
  seed: number;
  dir: string;
  action: RowAction;
}

export interface ReproduceOutcome {
  out: string;
  rows: RowOutcome[];
  results: ReproductionResults;
}

/** The budget (and data checksum) every row of the directory was trained with. */
export const MANIFEST_FILE = 'reproduce.json';
export const RESULTS_JSON = 'results.json';
export const RESULTS_MD = 'results.md';

interface Manifest {
  format: 'groupnas.reproduce';
  version: 1;
  budget: ReproduceBudget;
  dataset: { name: string; checksum: string };
}

export function rowDirName(preset: string, seed: number): string {
  return `${preset}-seed${seed}`;
}

/** Paths that must mean the same from any working directory a later session resumes in. */
function withAbsolutePaths(b: ReproduceBudget): ReproduceBudget {
  const t = b.training;
  const data = t.data === 'embedded' || t.data === 'debian' ? t.data : resolve(t.data);
  return {
    ...b,
    training: { ...t, data, ...(t.distillation ? { distillation: { ...t.distillation, teacher: resolve(t.distillation.teacher) } } : {}) },
  };
}

function checkSeeds(seeds: number[]): void {
  if (seeds.length === 0) throw new UsageError('--seeds: name at least one seed, e.g. 0,1');
  for (const s of seeds) if (!Number.isInteger(s) || s < 0) throw new UsageError(`--seeds: expected non-negative integers, got ${s}`);
  if (new Set(seeds).size !== seeds.length) throw new UsageError(`--seeds: ${seeds.join(',')} names a seed twice`);
}

export function readManifest(file: string): Manifest {
  return readStampedJsonFile<Manifest>(file, 'groupnas.reproduce', 1);
}

/** One (preset, seed) row and its run directory. */
interface TableRowRun {
  preset: string;
  seed: number;
  dir: string;
}

/** Every (preset, seed) row of the table, seed by seed, so one seed of every preset finishes first. */
function tableRows(table: ReproductionTable, seeds: number[], out: string): TableRowRun[] {
  return seeds.flatMap((seed) => table.rows.map((r) => ({ preset: r.preset, seed, dir: join(out, rowDirName(r.preset, seed)) })));
}

/**
 * Refuse to mix budgets: the directory's manifest and every row about to be reused must have been
 * trained exactly as asked now (everything but how often checkpoints are written).
 */
function checkSameBudget(out: string, manifest: Manifest | undefined, asked: Manifest, rows: TableRowRun[], checkpointEverySteps: number): void {
  const trained = rows.filter((r) => runState(r.dir) !== 'absent');
  const names = (list: { dir: string }[]) => list.map((r) => r.dir.slice(out.length + 1)).join(', ');
  const manifestDiff = manifest ? describeDifferences(asked.budget, manifest.budget) : [];
  if (manifest && manifest.dataset.checksum !== asked.dataset.checksum) {
    manifestDiff.push(
      `data: ${manifest.dataset.name} ${manifest.dataset.checksum.slice(0, 12)}… in --out, ${asked.dataset.name} ${asked.dataset.checksum.slice(0, 12)}… asked`,
    );
  }
  if (manifestDiff.length > 0) {
    throw new UsageError(
      `${join(out, MANIFEST_FILE)}: --out holds rows trained with another budget (${manifestDiff.join('; ')})` +
        `${trained.length > 0 ? `; rows: ${names(trained)}` : ''}. Rerun with that budget to continue them, or choose another --out.`,
    );
  }
  const problems: string[] = [];
  for (const r of trained) {
    const record = readRunRecord(r.dir);
    const wanted = rowTrainingOptions(asked.budget, r.preset, r.seed, checkpointEverySteps);
    const diff = describeDifferences(wanted, record.options, ['checkpointEverySteps']);
    const widths = buildPreset(r.preset, { backbone: asked.budget.backbone, widthMultiplier: asked.budget.widthMultiplier }).widths;
    if (JSON.stringify(record.arch.widths) !== JSON.stringify(widths))
      diff.push(`arch widths: ${JSON.stringify(record.arch.widths)} in --out, ${JSON.stringify(widths)} asked`);
    if (diff.length > 0) problems.push(`${rowDirName(r.preset, r.seed)} (${diff.join('; ')})`);
  }
  if (problems.length > 0) {
    throw new UsageError(`--out ${out} holds rows trained with another budget: ${problems.join(', ')}. Choose another --out, or remove those rows.`);
  }
}

/** What a report says about the data; the images themselves are not kept (each row loads its own). */
function datasetInfo(d: Dataset): ReproductionResults['dataset'] {
  return { name: d.name, checksum: d.checksum, train: d.train.count, test: d.test.count };
}

/** The table as it stands (finished rows only), rewritten after every row so a kill leaves it current. */
function writeResults(
  out: string,
  table: ReproductionTable,
  budget: ReproduceBudget,
  dataset: ReproductionResults['dataset'],
  seeds: number[],
  rows: TableRowRun[],
): ReproductionResults {
  const runs = new Map<string, SeedRun[]>();
  for (const r of rows) {
    const result = readRunResult(r.dir);
    if (!result) continue;
    const list = runs.get(r.preset) ?? [];
    list.push({
      seed: r.seed,
      dir: rowDirName(r.preset, r.seed),
      testAccuracy: result.testAccuracy * 100,
      testImages: result.testImages,
      trainingSeconds: trainingSeconds(result.epochs),
    });
    runs.set(r.preset, list);
  }
  const results = buildResults({ table, budget, dataset, seeds, runs });
  writeJsonAtomic(join(out, RESULTS_JSON), results);
  writeFileAtomic(join(out, RESULTS_MD), resultsMarkdown(results));
  return results;
}

/** Each row's bar says which row it is. */
function labelled(progress: ProgressReporter, row: string): ProgressReporter {
  return { start: (label, total) => progress.start(`${row} ${label}`, total) };
}

/** The table with only the named presets' rows, in the table's order. */
function selectRows(table: ReproductionTable, presets: string[] | undefined): ReproductionTable {
  if (presets === undefined) return table;
  const known = table.rows.map((r) => r.preset);
  const unknown = presets.filter((p) => !known.includes(p));
  if (unknown.length > 0)
    throw new UsageError(`--presets: ${unknown.join(', ')} ${unknown.length > 1 ? 'are' : 'is'} not in table ${table.name} (its presets: ${known.join(', ')})`);
  if (presets.length === 0) throw new UsageError(`--presets: name at least one of ${known.join(', ')}`);
  return { ...table, rows: table.rows.filter((r) => presets.includes(r.preset)) };
}

export function reproduceTable(options: ReproduceOptions): ReproduceOutcome {
  const table = selectRows(typeof options.table === 'string' ? getTable(options.table) : options.table, options.presets);
  checkSeeds(options.seeds);
  checkBudget(options.budget);
  const budget = withAbsolutePaths(options.budget);
  const out = resolve(options.out);
  const checkpointEverySteps = options.checkpointEverySteps ?? 25;
  const progress = options.progress ?? silentProgress;
  const log = options.log ?? (() => {});
  // Presets are built before anything is written: a bad width multiplier fails here, naming the field.
  for (const r of table.rows) buildPreset(r.preset, { backbone: budget.backbone, widthMultiplier: budget.widthMultiplier });
  const dataset = datasetInfo(loadDataset({ data: budget.training.data }));
  const asked: Manifest = { format: 'groupnas.reproduce', version: 1, budget, dataset: { name: dataset.name, checksum: dataset.checksum } };
  const rows = tableRows(table, options.seeds, out);
  const manifestFile = join(out, MANIFEST_FILE);
  checkSameBudget(out, existsSync(manifestFile) ? readManifest(manifestFile) : undefined, asked, rows, checkpointEverySteps);

  makeDirectory(out);
  const release = lockRunDirectory(out);
  try {
    writeJsonAtomic(manifestFile, asked);
    const write = () => writeResults(out, table, budget, dataset, options.seeds, rows);
    const outcomes: RowOutcome[] = [];
    for (const [i, r] of rows.entries()) {
      const name = rowDirName(r.preset, r.seed);
      const position = `row ${i + 1}/${rows.length} ${name}`;
      let action: RowAction;
      const state = runState(r.dir);
      if (state === 'finished') {
        action = 'finished earlier';
        log(`${position}: finished earlier, kept`);
      } else if (state === 'started') {
        action = 'resumed';
        log(`${position}: resuming the partial run`);
        resumeTraining(r.dir, labelled(progress, name));
      } else {
        action = 'trained';
        log(`${position}: training`);
        const arch = buildPreset(r.preset, { backbone: budget.backbone, widthMultiplier: budget.widthMultiplier });
        trainArch(arch, rowTrainingOptions(budget, r.preset, r.seed, checkpointEverySteps), r.dir, labelled(progress, name));
      }
      outcomes.push({ preset: r.preset, seed: r.seed, dir: r.dir, action });
      if (action !== 'finished earlier') write();
    }
    return { out, rows: outcomes, results: write() };
  } finally {
    release();
  }
}
