/**
 * An evaluation directory (a search's `evaluation/` and `presets/`): its file names, and
 * `evaluation.json`, the state of a candidate evaluation, rewritten atomically after every finished
 * task and every latency measurement, so a kill at any moment leaves a file that a rerun resumes
 * from (finished candidates are skipped, the others retrained from their run's checkpoint).
 *
 *   evaluation.json       status and results of every candidate
 *   candidates/<i>/       candidate i's training run (train/run-directory.ts) and its packed model.gnb
 *   template.gnb          the untrained template timed with the candidates (ReferenceModel), when a relative latency target needs it
 *
 * evaluation.json derives from the candidates and their runs: a damaged entry is evaluated again
 * (readEvaluationToResume), never trusted. Paths inside are relative to the evaluation directory.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { EngineName } from '../../kernels/engine.js';
import type { Arch } from '../../space/arch.js';
import type { CostCounts } from '../../space/summary.js';
import { fileSchemaProblems, readValidJsonFile, ValidationError } from '../../space/schema-validation.js';
import { TRAINING_EPOCH_SCHEMA, type TrainingEpoch } from '../../train/run-directory.js';
import { optionsReadFrom, optionsStoredIn, TRAINING_OPTIONS_SCHEMA, type TrainingOptions } from '../../train/training-options.js';
import { writeJsonAtomic } from '../../util/atomic-write.js';
import { FileFormatError } from '../../util/errors.js';
import { readJsonFile } from '../../util/json-file.js';

export const EVALUATION_FILE = 'evaluation.json';
/** The packed model in each candidate's run directory. */
export const MODEL_FILE = 'model.gnb';

/** Candidate `index`'s training run directory. */
export function candidateRunDir(evaluationDir: string, index: number): string {
  return join(evaluationDir, 'candidates', String(index));
}
export const EVALUATION_FORMAT = 'groupnas.evaluation';
export const EVALUATION_VERSION = 1;

/** `pending`: not evaluated yet (or interrupted); `done`: trained, tested and packed; `failed`: out of attempts. */
export type CandidateStatus = 'pending' | 'done' | 'failed';

/** How one attempt failed: the task threw, its worker died, or it ran past the task timeout. */
export interface AttemptFailure {
  attempt: number;
  kind: 'error' | 'worker-exit' | 'timeout';
  message: string;
}

export interface MeasuredLatency {
  engine: EngineName;
  batch: number;
  /** Median milliseconds of one packed `predict` of `batch` images. */
  medianMs: number;
  repeats: number;
  /**
   * The spread of the rounds' medians (interleaved rounds over every model timed together):
   * fastest and slowest round, and (slowest − fastest) / median.
   */
  minMs?: number;
  maxMs?: number;
  spread?: number;
  /** Rounds taken; absent when timed alone. */
  rounds?: number;
  /** Why the figure is not to be trusted (the machine was busy while it was taken), when so. */
  unreliable?: string;
}

export interface CandidateResult {
  /** The task's score: top-1 test accuracy, or for segmentation the test mIoU. */
  testAccuracy: number;
  /** Segmentation: the pixel accuracy. */
  testPixelAccuracy?: number;
  testLoss: number;
  testImages: number;
  /** Train loss, test loss and accuracy per epoch. */
  history: TrainingEpoch[];
  costs: CostCounts;
  /** Relative to the evaluation directory. */
  runDir: string;
  modelFile: string;
  modelBytes: number;
  trainSeconds: number;
}

export interface CandidateRecord {
  index: number;
  arch: Arch;
  status: CandidateStatus;
  /** Failed attempts (a later successful attempt keeps them, so flaky candidates show). */
  failures: AttemptFailure[];
  /** The final reason of a `failed` candidate. */
  reason?: string;
  result?: CandidateResult;
  /** Measured in the main thread after the pool finished; absent until then. */
  latency?: MeasuredLatency;
}

/**
 * A model timed in the candidates' rounds without being trained (its weights do not change what it
 * costs to run): the template, when a relative latency target needs its measured latency and no
 * trained preset is timed beside the candidates.
 */
export interface ReferenceModel {
  name: string;
  /** Relative to the evaluation directory. */
  modelFile: string;
  latency?: MeasuredLatency;
}

export interface EvaluationRecord {
  format: typeof EVALUATION_FORMAT;
  version: typeof EVALUATION_VERSION;
  training: TrainingOptions;
  candidates: CandidateRecord[];
  reference?: ReferenceModel;
}

const COUNT = { type: 'integer', minimum: 0 } as const;
const NUMBER = { type: 'number' } as const;

const CANDIDATE_RESULT_SCHEMA = {
  type: 'object',
  required: ['testAccuracy', 'testLoss', 'testImages', 'history', 'costs', 'runDir', 'modelFile', 'modelBytes', 'trainSeconds'],
  properties: {
    testAccuracy: { type: 'number', minimum: 0, maximum: 1 },
    testLoss: { type: ['number', 'null'] },
    testImages: COUNT,
    history: { type: 'array', items: TRAINING_EPOCH_SCHEMA },
    costs: {
      type: 'object',
      required: ['params', 'binaryParams', 'floatParams', 'memoryBytes', 'binaryMacs', 'bops', 'floatMacs'],
      properties: { params: COUNT, binaryParams: COUNT, floatParams: COUNT, memoryBytes: COUNT, binaryMacs: COUNT, bops: NUMBER, floatMacs: COUNT },
    },
    runDir: { type: 'string', minLength: 1 },
    modelFile: { type: 'string', minLength: 1 },
    modelBytes: COUNT,
    trainSeconds: { type: 'number', minimum: 0 },
  },
} as const;

const MEASURED_LATENCY_SCHEMA = {
  type: 'object',
  required: ['engine', 'batch', 'medianMs', 'repeats'],
  properties: {
    engine: { type: 'string' },
    batch: { type: 'integer', minimum: 1 },
    medianMs: { type: 'number', exclusiveMinimum: 0 },
    repeats: { type: 'integer', minimum: 1 },
    minMs: NUMBER,
    maxMs: NUMBER,
    spread: { type: 'number', minimum: 0 },
    rounds: { type: 'integer', minimum: 1 },
    unreliable: { type: 'string' },
  },
} as const;

/** JSON Schema of one candidate of evaluation.json. */
export const CANDIDATE_RECORD_SCHEMA = {
  type: 'object',
  required: ['index', 'arch', 'status', 'failures'],
  properties: {
    index: COUNT,
    arch: { type: 'object' },
    status: { enum: ['pending', 'done', 'failed'] },
    failures: {
      type: 'array',
      items: {
        type: 'object',
        required: ['attempt', 'kind', 'message'],
        properties: { attempt: { type: 'integer', minimum: 1 }, kind: { enum: ['error', 'worker-exit', 'timeout'] }, message: { type: 'string' } },
      },
    },
    reason: { type: 'string' },
    result: CANDIDATE_RESULT_SCHEMA,
    latency: MEASURED_LATENCY_SCHEMA,
  },
  if: { properties: { status: { const: 'done' } } },
  then: { required: ['result'] },
} as const;

/** JSON Schema of evaluation.json around its candidates. */
const EVALUATION_FRAME_SCHEMA = {
  type: 'object',
  required: ['format', 'version', 'training', 'candidates'],
  properties: {
    format: { const: EVALUATION_FORMAT },
    version: { const: EVALUATION_VERSION },
    training: TRAINING_OPTIONS_SCHEMA,
    candidates: { type: 'array' },
    reference: {
      type: 'object',
      required: ['name', 'modelFile'],
      properties: { name: { type: 'string' }, modelFile: { type: 'string', minLength: 1 }, latency: MEASURED_LATENCY_SCHEMA },
    },
  },
} as const;

/** JSON Schema of evaluation.json. */
export const EVALUATION_SCHEMA = {
  ...EVALUATION_FRAME_SCHEMA,
  properties: { ...EVALUATION_FRAME_SCHEMA.properties, candidates: { type: 'array', items: CANDIDATE_RECORD_SCHEMA } },
} as const;

export function writeEvaluation(path: string, record: EvaluationRecord): void {
  writeJsonAtomic(path, { ...record, training: optionsStoredIn(dirname(path), record.training) });
}

/** A candidate's place must be its index: a record shuffled or cut is damaged. */
function indexProblem(c: CandidateRecord, i: number): string | undefined {
  return c.index === i ? undefined : `candidates[${i}].index: expected ${i}, found ${JSON.stringify(c.index)}`;
}

/** The file at `path`, or undefined when there is none; a damaged file is an error that names it and the field. */
export function readEvaluation(path: string): EvaluationRecord | undefined {
  if (!existsSync(path)) return undefined;
  const record = readValidJsonFile<EvaluationRecord>(path, EVALUATION_SCHEMA);
  record.candidates.forEach((c, i) => {
    if (indexProblem(c, i) !== undefined) throw new FileFormatError(path, `candidates[${i}].index`, `expected ${i}, found ${JSON.stringify(c.index)}`);
  });
  return { ...record, training: optionsReadFrom(dirname(path), record.training) };
}

/** What a resumed evaluation can use of its evaluation.json. */
export interface EvaluationToResume {
  /** The record, with every damaged candidate left out (undefined there); undefined when nothing of it is usable or there is none. */
  record?: Omit<EvaluationRecord, 'candidates'> & { candidates: (CandidateRecord | undefined)[] };
  /** Why the whole file was set aside, or each damaged candidate (by index) with its problem. */
  damage: { file?: string; candidates: Map<number, string> };
}

/** What a resumed evaluation does with an evaluation.json it cannot read as a whole. */
export const EVERY_CANDIDATE_AGAIN = 'evaluating every candidate again (finished training runs are reused)';

/** What a resumed evaluation does with a damaged candidate entry. */
export function candidateAgain(index: number): string {
  return `evaluating candidate ${index} again`;
}

/**
 * evaluation.json for a resumed evaluation. It derives from the candidates and their runs, so
 * damage is not fatal: a file that cannot be read as a whole is set aside (every candidate is
 * evaluated again, finished training runs being reused), a damaged candidate entry is left out
 * (that candidate is evaluated again); `damage` says which, for the caller to tell the user.
 */
export function readEvaluationToResume(path: string): EvaluationToResume {
  const candidates = new Map<number, string>();
  try {
    const record = readEvaluation(path);
    return { ...(record ? { record } : {}), damage: { candidates } };
  } catch (err) {
    // Another version's file is not damage: it is refused, never overwritten.
    if (!(err instanceof FileFormatError) || err.field === 'version') throw err;
    let data: unknown;
    try {
      data = readJsonFile(path);
    } catch (parseError) {
      if (!(parseError instanceof FileFormatError)) throw parseError;
      return { damage: { file: parseError.expected, candidates } };
    }
    const frame = fileSchemaProblems(EVALUATION_FRAME_SCHEMA, data);
    if (frame.length > 0) return { damage: { file: new ValidationError(path, frame).message.split('\n')[0]!.slice(path.length + 2), candidates } };
    const doc = data as EvaluationRecord;
    const kept = doc.candidates.map((c, i) => {
      const problem = fileSchemaProblems(CANDIDATE_RECORD_SCHEMA, c)[0];
      const why = problem ? `candidates[${i}]${problem.path === '(root)' ? '' : `.${problem.path}`}: ${problem.message}` : indexProblem(c, i);
      if (why === undefined) return c;
      candidates.set(i, why);
      return undefined;
    });
    return { record: { ...doc, training: optionsReadFrom(dirname(path), doc.training), candidates: kept }, damage: { candidates } };
  }
}
