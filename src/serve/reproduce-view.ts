/**
 * A reproduction (`groupnas reproduce`) as the dashboard shows it: results.json (per preset the
 * finished seeds, mean and spread beside the supplement's number), rewritten after every row, and
 * the run-directory lock (held by the process training rows). Each row is an ordinary training run,
 * linked by its id.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FileFormatError } from '../util/errors.js';
import { readStampedJsonFile } from '../util/json-file.js';
import { runLockHolder } from '../util/run-lock.js';
import { ProblemList, readRunFile } from './run-files.js';
import { best, runStatus, writtenAt, type RunSummary } from './run-summary.js';

export const REPRODUCE_MANIFEST_FILE = 'reproduce.json';
const RESULTS_FILE = 'results.json';

export interface ReproduceRow {
  preset: string;
  /** Mean and standard deviation of the finished seeds' test accuracy, in %. */
  mean?: number;
  std?: number;
  /** Run ids of the finished seeds. */
  runs: { seed: number; id: string; testAccuracy: number }[];
  missingSeeds: number[];
  /** The supplement's number, as cited. */
  supplement?: string;
}

export interface ReproduceView {
  kind: 'reproduce';
  summary: RunSummary;
  title?: string;
  budget?: string;
  rows: ReproduceRow[];
  orderings: { claim: string; status: string; detail: string }[];
}

interface ResultsFile {
  title: string;
  budgetText: string;
  complete: boolean;
  rows: {
    preset: string;
    runs: { seed: number; dir: string; testAccuracy: number }[];
    missingSeeds: number[];
    accuracy?: { mean: number; std: number };
    supplement?: { cite?: string };
  }[];
  orderings: { claim?: unknown; status?: unknown; detail?: unknown }[];
}

function readResults(file: string): ResultsFile {
  const r = readStampedJsonFile<Partial<ResultsFile>>(file, 'groupnas.reproduce-results', 1);
  if (!Array.isArray(r.rows)) throw new FileFormatError(file, 'rows', 'expected an array');
  r.rows.forEach((row, i) => {
    if (typeof row?.preset !== 'string' || !Array.isArray(row.runs) || !Array.isArray(row.missingSeeds))
      throw new FileFormatError(file, `rows[${i}]`, 'expected { preset, runs: [...], missingSeeds: [...] }');
  });
  return {
    title: String(r.title ?? ''),
    budgetText: String(r.budgetText ?? ''),
    complete: r.complete === true,
    rows: r.rows,
    orderings: Array.isArray(r.orderings) ? r.orderings : [],
  };
}

export function reproduceView(dir: string, id: string): ReproduceView {
  const problems = new ProblemList(dir);
  const results = problems.attempt(join(dir, RESULTS_FILE), () => readRunFile(join(dir, RESULTS_FILE), readResults));
  // Running while a live process holds the directory's lock (a killed one's lock does not count).
  const running = runLockHolder(dir) !== undefined;
  const rows: ReproduceRow[] = (results?.rows ?? []).map((r) => ({
    preset: r.preset,
    ...(r.accuracy ? { mean: r.accuracy.mean, std: r.accuracy.std } : {}),
    runs: r.runs.map((run) => ({ seed: run.seed, id: `${id}/${run.dir}`, testAccuracy: run.testAccuracy })),
    missingSeeds: r.missingSeeds,
    ...(r.supplement?.cite ? { supplement: r.supplement.cite } : {}),
  }));
  const finishedRuns = rows.reduce((n, r) => n + r.runs.length, 0);
  const allRuns = finishedRuns + rows.reduce((n, r) => n + r.missingSeeds.length, 0);
  const bestMean = best(rows.map((r) => r.mean));
  const startedAt = writtenAt(join(dir, REPRODUCE_MANIFEST_FILE));
  const summary: RunSummary = {
    id,
    kind: 'reproduce',
    name: results?.title || id,
    ...runStatus(running ? { state: 'running', startedAt: startedAt ?? '' } : undefined, results?.complete === true),
    ...(bestMean !== undefined ? { bestAccuracy: bestMean / 100 } : {}),
    ...(startedAt !== undefined ? { startedAt } : {}),
    progress: `${finishedRuns}/${allRuns} rows`,
    problems: problems.problems,
  };
  return {
    kind: 'reproduce',
    summary,
    ...(results ? { title: results.title, budget: results.budgetText } : {}),
    rows,
    orderings: (results?.orderings ?? []).map((o) => ({ claim: String(o.claim ?? ''), status: String(o.status ?? ''), detail: String(o.detail ?? '') })),
  };
}
