/**
 * A search run directory (DESIGN §6): the name of every file in it, the shape of the JSON files the
 * search writes, and their readers. search-run.ts writes the supernet's files, search-evaluation.ts
 * the evaluation's; everything else (report, CLI, `groupnas validate`) reads them through here.
 *
 *   config.json       the resolved configuration (what a resumed run rebuilds from)
 *   teacher/          the distillation teacher's training run (when the config trains one)
 *   checkpoint.gnck   supernet weights, α, both optimizers, position — written atomically each epoch
 *   search.json       α, probabilities, entropy, expected cost and losses of every epoch so far (SearchLog)
 *   alpha.svg         the probabilities of every decision over the epochs
 *   candidates.json   the derived architectures, each a valid arch.json (SearchCandidate)
 *   derived-arch.json the supernet's derived architecture (first of candidates.json)
 *   arch.json         the derived architecture; once the candidates are evaluated, the chosen one
 *                     (best measured accuracy within the cost target) with its measured metrics
 *   evaluation/       the candidates trained, tested, packed and timed (evaluate/, resumable)
 *   model.gnb         the chosen architecture's packed model
 *   presets/          the hand-designed presets on the same backbone, evaluated the same way (optional)
 *   pareto.svg        accuracy vs measured latency and vs BOPs of the evaluated candidates (and presets)
 *   report.md         what a person reads: config, data, time per phase, plots, candidate table
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Arch } from '../space/arch.js';
import { archProblems } from '../space/arch-validation.js';
import type { SearchConfig } from '../space/config.js';
import { checkConfig } from '../space/config-file.js';
import type { Problem } from '../space/schema-validation.js';
import { FileFormatError, RunDirectoryError } from '../util/errors.js';
import { readJsonFile, readStampedJsonFile } from '../util/json-file.js';

/** Every file and folder of a search run directory, by role. */
export const SEARCH_FILES = {
  config: 'config.json',
  teacher: 'teacher',
  checkpoint: 'checkpoint.gnck',
  log: 'search.json',
  alphaPlot: 'alpha.svg',
  candidates: 'candidates.json',
  derivedArch: 'derived-arch.json',
  arch: 'arch.json',
  evaluation: 'evaluation',
  model: 'model.gnb',
  presets: 'presets',
  paretoPlot: 'pareto.svg',
  report: 'report.md',
} as const;

/** The path of one of the run's files. */
export function searchFile(dir: string, role: keyof typeof SEARCH_FILES): string {
  return join(dir, SEARCH_FILES[role]);
}

export const SEARCH_LOG_FORMAT = 'groupnas.search';
export const CANDIDATES_FORMAT = 'groupnas.candidates';

/** One epoch of the supernet search, as search.json records it. */
export interface SearchEpoch {
  epoch: number;
  warmup: boolean;
  /** softmax(α) per variable at the end of the epoch. */
  probabilities: number[][];
  alpha: number[][];
  /** Mean normalized entropy of the probabilities (1 = uniform). */
  entropy: number;
  /** E[cost] under softmax(α) and the argmax architecture's cost. */
  expectedCost: number;
  argmax: number[];
  argmaxCost: number;
  trainLoss: number;
  trainAccuracy: number;
  /** α steps taken in the epoch (one per search.archEvery weight steps; absent in warm-up). */
  archSteps?: number;
  /** Means over the epoch's architecture steps (absent in warm-up). */
  archLoss?: number;
  archAccuracy?: number;
  temperature?: number;
  seconds: number;
}

/** `search.json`. */
export interface SearchLog {
  format: typeof SEARCH_LOG_FORMAT;
  version: 1;
  toolVersion: string;
  /** How the candidates were found: absent = the supernet; `random` = uniform samples within the cost target (random-search.ts). */
  strategy?: 'random';
  /** Random search: architectures drawn to find the samples within the target. */
  draws?: number;
  space: string;
  variables: { id: string; decision: string; site: number; choices: (string | number)[] }[];
  /**
   * The price list's metric and unit, the objective, the absolute target (from relativeTarget ×
   * templateCost when given so) and the cost bounds.
   */
  cost: { metric: string; unit: string; objective: string; target?: number; relativeTarget?: number; templateCost?: number; min: number; max: number };
  /** The teacher's training run, as given when the run started. */
  teacher?: string;
  epochs: SearchEpoch[];
  stoppedEarly?: { epoch: number; entropy: number };
  warnings: string[];
}

/** One derived architecture of `candidates.json`. */
export interface SearchCandidate {
  rank: number;
  /**
   * `target`: the most probable architecture within 10% of the cost target; `argmax`; `top`: next most
   * probable; `random`: a random search's uniform sample (probability: of drawing it).
   */
  derivation: string;
  probability: number;
  indices: number[];
  cost: number;
  arch: Arch;
}

/** `candidates.json`. */
export interface CandidatesFile {
  format: typeof CANDIDATES_FORMAT;
  version: 1;
  metric: string;
  unit: string;
  target?: number;
  candidates: SearchCandidate[];
}

/** The resolved config a run directory was started with. */
export function readSearchConfig(dir: string): SearchConfig {
  const file = searchFile(dir, 'config');
  if (!existsSync(file)) throw new RunDirectoryError(dir, 'missing', `not a search run directory (no ${SEARCH_FILES.config})`);
  return checkConfig(readJsonFile(file), file);
}

/** The run's search.json, or undefined before its first epoch ended; a damaged file is an error naming it. */
export function readSearchLog(dir: string): SearchLog | undefined {
  const file = searchFile(dir, 'log');
  if (!existsSync(file)) return undefined;
  const log = readStampedJsonFile<Partial<SearchLog>>(file, SEARCH_LOG_FORMAT, 1);
  if (!Array.isArray(log.variables)) throw new FileFormatError(file, 'variables', 'expected an array');
  if (typeof log.cost !== 'object' || log.cost === null) throw new FileFormatError(file, 'cost', 'expected an object');
  if (!Array.isArray(log.warnings)) throw new FileFormatError(file, 'warnings', 'expected an array');
  if (!Array.isArray(log.epochs)) throw new FileFormatError(file, 'epochs', 'expected an array');
  log.epochs.forEach((e: Partial<SearchEpoch>, i) => {
    if (e.epoch !== i + 1) throw new FileFormatError(file, `epochs[${i}].epoch`, `expected ${i + 1}, found ${JSON.stringify(e.epoch)}`);
    if (!Array.isArray(e.probabilities)) throw new FileFormatError(file, `epochs[${i}].probabilities`, 'expected an array per variable');
  });
  return log as SearchLog;
}

/** The run's candidates.json, or undefined before the derivation; a damaged file is an error naming it and the field. */
export function readCandidatesFile(dir: string): CandidatesFile | undefined {
  const file = searchFile(dir, 'candidates');
  if (!existsSync(file)) return undefined;
  const data = readStampedJsonFile<Partial<CandidatesFile>>(file, CANDIDATES_FORMAT, 1);
  if (!Array.isArray(data.candidates)) throw new FileFormatError(file, 'candidates', 'expected an array of candidates');
  data.candidates.forEach((c: Partial<SearchCandidate> | null, i) => {
    for (const key of ['rank', 'probability', 'cost'] as const)
      if (typeof c?.[key] !== 'number') throw new FileFormatError(file, `candidates[${i}].${key}`, 'expected a number');
    if (typeof c!.derivation !== 'string') throw new FileFormatError(file, `candidates[${i}].derivation`, 'expected a string');
  });
  return data as CandidatesFile;
}

/** Every problem of a candidates.json document, each path under `candidates[i].arch` (`groupnas validate`). */
export function candidatesProblems(data: Record<string, unknown>): Problem[] {
  const list = data.candidates;
  if (!Array.isArray(list)) return [{ path: 'candidates', message: 'expected an array of candidates' }];
  return list.flatMap((candidate: unknown, i) => {
    const arch = typeof candidate === 'object' && candidate !== null ? (candidate as Record<string, unknown>).arch : undefined;
    if (arch === undefined) return [{ path: `candidates[${i}].arch`, message: 'missing: every candidate holds its arch.json' }];
    return archProblems(arch).map((p) => ({ ...p, path: `candidates[${i}].arch${p.path === '(root)' ? '' : `.${p.path}`}` }));
  });
}
