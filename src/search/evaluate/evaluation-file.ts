/**
 * An evaluation directory (a search's `evaluation/` and `presets/`): its file names, and
 * `evaluation.json`, the state of a candidate evaluation, rewritten atomically after every finished
 * task and every latency measurement, so a kill at any moment leaves a file that a rerun resumes
 * from (finished candidates are skipped, the others retrained from their run's checkpoint).
 *
 *   evaluation.json       status and results of every candidate
 *   candidates/<i>/       candidate i's training run (train/run-directory.ts) and its packed model.gnb
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { EngineName } from '../../kernels/engine.js';
import type { Arch } from '../../space/arch.js';
import type { CostCounts } from '../../space/summary.js';
import type { TrainingEpoch } from '../../train/run-directory.js';
import type { TrainingOptions } from '../../train/training-options.js';
import { writeJsonAtomic } from '../../util/atomic-write.js';
import { FileFormatError } from '../../util/errors.js';
import { readStampedJsonFile } from '../../util/json-file.js';

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

export interface EvaluationRecord {
  format: typeof EVALUATION_FORMAT;
  version: typeof EVALUATION_VERSION;
  training: TrainingOptions;
  candidates: CandidateRecord[];
}

export function writeEvaluation(path: string, record: EvaluationRecord): void {
  writeJsonAtomic(path, record);
}

/** The file at `path`, or undefined when there is none; a damaged file is an error that names it. */
export function readEvaluation(path: string): EvaluationRecord | undefined {
  if (!existsSync(path)) return undefined;
  const record = readStampedJsonFile<Partial<EvaluationRecord>>(path, EVALUATION_FORMAT, EVALUATION_VERSION);
  if (typeof record.training !== 'object' || record.training === null) throw new FileFormatError(path, 'training', 'expected the training options object');
  if (!Array.isArray(record.candidates)) throw new FileFormatError(path, 'candidates', 'expected an array');
  record.candidates.forEach((c: Partial<CandidateRecord>, i) => {
    if (c.index !== i) throw new FileFormatError(path, `candidates[${i}].index`, `expected ${i}, found ${JSON.stringify(c.index)}`);
    if (c.status !== 'pending' && c.status !== 'done' && c.status !== 'failed') {
      throw new FileFormatError(path, `candidates[${i}].status`, `expected "pending", "done" or "failed", found ${JSON.stringify(c.status)}`);
    }
    if (c.status === 'done' && (typeof c.result !== 'object' || c.result === null))
      throw new FileFormatError(path, `candidates[${i}].result`, 'a done candidate needs its result');
    if (!Array.isArray(c.failures)) throw new FileFormatError(path, `candidates[${i}].failures`, 'expected an array');
  });
  return record as EvaluationRecord;
}
