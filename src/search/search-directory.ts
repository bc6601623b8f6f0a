/**
 * A search run directory (DESIGN §6): the name of every file in it, the shape of the JSON files the
 * search writes, and their readers. search-run.ts writes the supernet's files, search-evaluation.ts
 * the evaluation's; everything else (report, CLI, `groupnas validate`) reads them through here.
 *
 *   config.json       the resolved configuration (what a resumed run rebuilds from): the run's source,
 *                     never rebuilt — a damaged or edited one is refused, naming the field
 *   config.sha256     its hash when the run started (`sha256sum -c` format), which tells an edit
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
 *
 * Every JSON file has a schema and one reader here that checks it; paths inside are relative to the
 * run directory, so a copied run works with its own files.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { Arch } from '../space/arch.js';
import { archProblems } from '../space/arch-validation.js';
import type { SearchConfig } from '../space/config.js';
import { checkConfig } from '../space/config-file.js';
import { readValidJsonFile, type Problem } from '../space/schema-validation.js';
import { writeFileAtomic, writeJsonAtomic } from '../util/atomic-write.js';
import { FileFormatError, fileSystemError, RunDirectoryError } from '../util/errors.js';
import { readJsonFile } from '../util/json-file.js';
import { VERSION } from '../util/version.js';

/** Every file and folder of a search run directory, by role. */
export const SEARCH_FILES = {
  config: 'config.json',
  configHash: 'config.sha256',
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
  /**
   * How the candidates were found: absent = the supernet; `random` = uniform samples within the cost
   * target (random-search.ts); `evolution` = regularized evolution from such samples (evolution-search.ts).
   */
  strategy?: 'random' | 'evolution';
  /** Random and evolution search: architectures drawn (or mutated) to find the samples within the target. */
  draws?: number;
  /** Evolution: its population and tournament sizes, and the children trained per generation. */
  evolution?: { population: number; tournament: number; generation: number };
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
   * probable; `random`: a uniform sample (probability: of drawing it); `mutation`: an evolution's child
   * of candidate `parent`.
   */
  derivation: string;
  probability: number;
  parent?: number;
  indices: number[];
  cost: number;
  arch: Arch;
}

/** An architecture as candidates.json holds it: named, priced on the search's metric, with where it came from. */
export function candidateArch(arch: Arch, name: string, metric: string, cost: number, source: string, seed: number): Arch {
  return {
    ...arch,
    name,
    metrics: metric === 'latency' ? { predictedLatencyMs: cost } : { bops: cost },
    provenance: { tool: 'groupnas', toolVersion: VERSION, source, seed },
  };
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

const NUMBER = { type: 'number' } as const;
const NUMBER_OR_NULL = { type: ['number', 'null'] } as const;
const MATRIX = { type: 'array', items: { type: 'array', items: NUMBER } } as const;

/** JSON Schema of `search.json`. */
export const SEARCH_LOG_SCHEMA = {
  type: 'object',
  required: ['format', 'version', 'toolVersion', 'space', 'variables', 'cost', 'epochs', 'warnings'],
  properties: {
    format: { const: SEARCH_LOG_FORMAT },
    version: { const: 1 },
    toolVersion: { type: 'string' },
    space: { type: 'string' },
    variables: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'decision', 'site', 'choices'],
        properties: { id: { type: 'string' }, decision: { type: 'string' }, site: { type: 'integer' }, choices: { type: 'array', minItems: 1 } },
      },
    },
    cost: {
      type: 'object',
      required: ['metric', 'unit', 'objective', 'min', 'max'],
      properties: {
        metric: { type: 'string' },
        unit: { type: 'string' },
        objective: { type: 'string' },
        target: NUMBER,
        relativeTarget: NUMBER,
        templateCost: NUMBER,
        min: NUMBER,
        max: NUMBER,
      },
    },
    teacher: { type: 'string', minLength: 1 },
    strategy: { enum: ['random', 'evolution'] },
    draws: { type: 'integer', minimum: 0 },
    evolution: {
      type: 'object',
      required: ['population', 'tournament', 'generation'],
      properties: { population: { type: 'integer', minimum: 1 }, tournament: { type: 'integer', minimum: 1 }, generation: { type: 'integer', minimum: 1 } },
    },
    epochs: {
      type: 'array',
      items: {
        type: 'object',
        required: ['epoch', 'warmup', 'probabilities', 'alpha', 'entropy', 'expectedCost', 'argmax', 'argmaxCost', 'trainLoss', 'trainAccuracy', 'seconds'],
        properties: {
          epoch: { type: 'integer', minimum: 1 },
          warmup: { type: 'boolean' },
          probabilities: MATRIX,
          alpha: MATRIX,
          entropy: NUMBER,
          expectedCost: NUMBER,
          argmax: { type: 'array', items: { type: 'integer', minimum: 0 } },
          argmaxCost: NUMBER,
          trainLoss: NUMBER_OR_NULL,
          trainAccuracy: NUMBER,
          archSteps: { type: 'integer', minimum: 0 },
          archLoss: NUMBER_OR_NULL,
          archAccuracy: NUMBER,
          temperature: NUMBER,
          seconds: NUMBER,
        },
      },
    },
    stoppedEarly: { type: 'object', required: ['epoch', 'entropy'], properties: { epoch: { type: 'integer' }, entropy: NUMBER } },
    warnings: { type: 'array', items: { type: 'string' } },
  },
} as const;

/** JSON Schema of `candidates.json` (each candidate's `arch` is checked against the arch.json schema by candidatesProblems). */
export const CANDIDATES_SCHEMA = {
  type: 'object',
  required: ['format', 'version', 'metric', 'unit', 'candidates'],
  properties: {
    format: { const: CANDIDATES_FORMAT },
    version: { const: 1 },
    metric: { type: 'string' },
    unit: { type: 'string' },
    target: NUMBER,
    candidates: {
      type: 'array',
      items: {
        type: 'object',
        required: ['rank', 'derivation', 'probability', 'indices', 'cost', 'arch'],
        properties: {
          rank: { type: 'integer', minimum: 1 },
          derivation: { type: 'string' },
          probability: NUMBER,
          parent: { type: 'integer', minimum: 0 },
          indices: { type: 'array', items: { type: 'integer', minimum: 0 } },
          cost: NUMBER,
          arch: { type: 'object' },
        },
      },
    },
  },
} as const;

/** `sha256sum` of a file's bytes, in the tool's line format (`<hex>  <name>`). */
function sha256Line(bytes: Buffer, name: string): string {
  return `${createHash('sha256').update(bytes).digest('hex')}  ${name}\n`;
}

/** A new run's config.json and, beside it, its hash: what readSearchConfig later tells edits by. */
export function writeSearchConfig(dir: string, config: SearchConfig): void {
  writeJsonAtomic(searchFile(dir, 'config'), config);
  writeFileAtomic(searchFile(dir, 'configHash'), sha256Line(readFileSync(searchFile(dir, 'config')), SEARCH_FILES.config));
}

/**
 * Config fields added after run directories were made whose default is what those runs did (the
 * sandwich rule off): a run's config.json may lack them, and reads with the default.
 */
const FIELDS_OLDER_RUNS_LACK: ReadonlySet<string> = new Set(['search.sandwich']);

/**
 * The resolved config a run directory was started with. It is the run's source, so nothing is
 * filled in: a field missing from it (a deleted `search` section) is refused, not defaulted, and so
 * is a file that no longer matches the hash recorded when the run started — but for the fields
 * added since with the old behaviour as their default (FIELDS_OLDER_RUNS_LACK).
 */
export function readSearchConfig(dir: string): SearchConfig {
  const file = searchFile(dir, 'config');
  if (!existsSync(file)) throw new RunDirectoryError(dir, 'missing', `not a search run directory (no ${SEARCH_FILES.config})`);
  const data = readJsonFile(file);
  const asWritten = structuredClone(data);
  const config = checkConfig(data, file);
  const missing = firstFilledIn(asWritten, config, '');
  if (missing !== undefined) {
    throw new FileFormatError(
      file,
      missing,
      'missing: a run directory keeps its resolved configuration whole (a default here would change the run); restore it, or start a new search',
    );
  }
  checkConfigHash(dir, file);
  return config;
}

/** The path of the first field `filled` has and `original` lacks (what the schema's defaults filled in), else undefined. */
function firstFilledIn(original: unknown, filled: unknown, path: string): string | undefined {
  if (typeof filled !== 'object' || filled === null || Array.isArray(filled)) return undefined;
  if (typeof original !== 'object' || original === null) return path || '(root)';
  for (const [key, value] of Object.entries(filled)) {
    const here = path ? `${path}.${key}` : key;
    if (!(key in original)) {
      if (FIELDS_OLDER_RUNS_LACK.has(here)) continue;
      return here;
    }
    const deeper = firstFilledIn((original as Record<string, unknown>)[key], value, here);
    if (deeper !== undefined) return deeper;
  }
  return undefined;
}

function checkConfigHash(dir: string, file: string): void {
  const hashFile = searchFile(dir, 'configHash');
  if (!existsSync(hashFile)) return; // a run started before groupnas recorded the hash
  let recorded: string;
  let bytes: Buffer;
  try {
    recorded = readFileSync(hashFile, 'utf8');
    bytes = readFileSync(file);
  } catch (err) {
    throw fileSystemError(err) ?? err;
  }
  if (recorded.split(/\s/)[0] !== sha256Line(bytes, SEARCH_FILES.config).split(' ')[0]) {
    throw new FileFormatError(
      file,
      '',
      `edited since the run started (its sha256 differs from ${SEARCH_FILES.configHash}); a changed configuration is a new search: restore the file, or start ` +
        'one in a new directory',
    );
  }
}

/** A path as search.json keeps it: relative to the run directory. */
export function pathInRun(dir: string, path: string): string {
  return relative(resolve(dir), resolve(path)) || '.';
}

/** A path search.json keeps, as a path to open. */
export function pathFromRun(dir: string, path: string): string {
  return isAbsolute(path) ? path : join(dir, path);
}

/**
 * The teacher search.json names, as a directory to open. It is relative to the run directory; runs
 * of earlier groupnas versions kept it as given on the command line, and then their own teacher/ is meant.
 */
export function searchTeacherDir(dir: string, recorded: string): string {
  const path = pathFromRun(dir, recorded);
  const own = searchFile(dir, 'teacher');
  return existsSync(path) || !existsSync(own) ? path : own;
}

/** The run's search.json, or undefined before its first epoch ended; a damaged file is an error naming it and the field. */
export function readSearchLog(dir: string): SearchLog | undefined {
  const file = searchFile(dir, 'log');
  if (!existsSync(file)) return undefined;
  const log = readValidJsonFile<SearchLog>(file, SEARCH_LOG_SCHEMA);
  log.epochs.forEach((e, i) => {
    if (e.epoch !== i + 1) throw new FileFormatError(file, `epochs[${i}].epoch`, `expected ${i + 1}, found ${JSON.stringify(e.epoch)}`);
  });
  return log;
}

/** What a resumed search does when search.json cannot be continued from: the same seed trains the same α again. */
export const SUPERNET_TRAINED_AGAIN = 'training the supernet again from its first epoch to rebuild the α history';

/**
 * search.json as a resumed search reads it beside a checkpoint: the log to continue from, else why it
 * cannot be (`is missing`, `is damaged (field: expected)`), and the supernet is trained again
 * (SUPERNET_TRAINED_AGAIN). It derives from the supernet's epochs, so damage is not fatal; another
 * version's file is not damage, and is refused (thrown), never overwritten.
 */
export function readSearchLogToResume(dir: string): SearchLog | string {
  try {
    return readSearchLog(dir) ?? 'is missing';
  } catch (err) {
    if (!(err instanceof FileFormatError) || err.field === 'version') throw err;
    return `is damaged (${err.field ? `${err.field}: ` : ''}${err.expected})`;
  }
}

/** Why `log` cannot be continued from a checkpoint at epoch `checkpointEpoch` (it lacks some of its epochs), else undefined. */
export function searchLogBehind(log: SearchLog, checkpointEpoch: number): string | undefined {
  return log.epochs.length < checkpointEpoch ? `holds ${log.epochs.length} of the checkpoint's ${checkpointEpoch} epochs` : undefined;
}

/** The run's candidates.json, or undefined before the derivation; a damaged file is an error naming it and the field. */
export function readCandidatesFile(dir: string): CandidatesFile | undefined {
  const file = searchFile(dir, 'candidates');
  return existsSync(file) ? readValidJsonFile<CandidatesFile>(file, CANDIDATES_SCHEMA) : undefined;
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
