/**
 * A training run directory (DESIGN §6): the name of every file in it, the shape of its JSON files,
 * and their readers — for training-run.ts, which writes them, and for everything that reads a run
 * (export, the search's teacher and candidates, `groupnas reproduce`, reports).
 *
 *   run.json         RunRecord: what is trained, how, on what — written first; a run exists once it does
 *   checkpoint.gnck  model, optimizer and position (checkpoint.ts), atomically at every epoch end
 *                    and every `checkpointEverySteps` steps: what a resumed run continues from
 *   history.json     one TrainingEpoch per finished epoch
 *   result.json      RunResult: the final test result — written last; a run is finished once it exists
 *
 * Every file is written atomically (util/atomic-write.ts), so a kill at any moment leaves a run
 * that resumes, and read by one reader that checks it against its schema (a damaged file is an
 * error naming it and the field). Paths inside are relative to the run directory, so a run copied
 * with its teacher keeps using its own copy.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Dataset } from '../data/index.js';
import type { OptimizerKind, WeightMode } from '../nn/index.js';
import type { Arch } from '../space/arch.js';
import { archProblems } from '../space/arch-validation.js';
import { readValidJsonFile, ValidationError } from '../space/schema-validation.js';
import { writeJsonAtomic } from '../util/atomic-write.js';
import { UsageError } from '../util/errors.js';
import type { TrainingStage } from './staged-training.js';
import { optionsReadFrom, optionsStoredIn, TRAINING_OPTIONS_SCHEMA, type TrainingOptions } from './training-options.js';

/** Every file of a training run directory, by role. */
export const RUN_FILES = {
  record: 'run.json',
  checkpoint: 'checkpoint.gnck',
  history: 'history.json',
  result: 'result.json',
} as const;

/** The path of one of the run's files. */
export function runFile(dir: string, role: keyof typeof RUN_FILES): string {
  return join(dir, RUN_FILES[role]);
}

export const RUN_FORMAT = 'groupnas.run';

/** `run.json`: what was trained, how, on what — enough to resume or reproduce. */
export interface RunRecord {
  format: typeof RUN_FORMAT;
  version: 1;
  kind: 'train';
  toolVersion: string;
  createdAt: string;
  arch: Arch;
  options: TrainingOptions;
  dataset: { name: string; checksum: string; train: number; test: number };
  /** The run's training stages (absent in runs of groupnas versions before staged training: one binary stage). */
  stages?: TrainingStage[];
}

/** One finished epoch of a training run (history.json, result.json). */
export interface TrainingEpoch {
  epoch: number;
  trainLoss: number;
  testAccuracy: number;
  testLoss: number;
  learningRate: number;
  seconds: number;
  /** Staged runs: the weights this epoch trained (and was tested) with. */
  weights?: WeightMode;
  /** Segmentation runs: test mIoU (`testAccuracy` is then the pixel accuracy). */
  testMiou?: number;
}

/** Where a run stands: saved inside every checkpoint. */
export interface RunPosition {
  /** Next epoch / batch to run. */
  epoch: number;
  batch: number;
  /** Running sums of the epoch in progress. */
  lossSum: number;
  lossCount: number;
  epochSeconds: number;
  history: TrainingEpoch[];
}

/** The metadata of `checkpoint.gnck` beside its tensors (`model/…`, `optimizer/…`). */
export interface RunCheckpointMeta {
  position: RunPosition;
  /** The trainer's step count within the stage of `position.epoch`. */
  step: number;
  optimizer: OptimizerKind;
}

/** `result.json`: the final test result and every epoch. */
export interface RunResult {
  /** Test accuracy (segmentation: pixel accuracy). */
  testAccuracy: number;
  testLoss: number;
  testImages: number;
  epochs: TrainingEpoch[];
  /** Segmentation runs: test mIoU and the IoU of each class (null: the class is in neither labels nor predictions). */
  testMiou?: number;
  testIou?: (number | null)[];
}

const COUNT = { type: 'integer', minimum: 0 } as const;
const FRACTION = { type: 'number', minimum: 0, maximum: 1 } as const;
/** A loss: a diverged run's NaN is written as null, and is a result, not damage. */
const NUMBER = { type: ['number', 'null'] } as const;

/** JSON Schema of `run.json` (its `arch` is checked against the arch.json schema as well). */
export const RUN_RECORD_SCHEMA = {
  type: 'object',
  required: ['format', 'version', 'kind', 'toolVersion', 'createdAt', 'arch', 'options', 'dataset'],
  properties: {
    format: { const: RUN_FORMAT },
    version: { const: 1 },
    kind: { const: 'train' },
    toolVersion: { type: 'string' },
    createdAt: { type: 'string' },
    arch: { type: 'object' },
    options: TRAINING_OPTIONS_SCHEMA,
    dataset: {
      type: 'object',
      required: ['name', 'checksum', 'train', 'test'],
      properties: { name: { type: 'string' }, checksum: { type: 'string', minLength: 1 }, train: COUNT, test: COUNT },
    },
    stages: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['stage', 'weights', 'firstEpoch', 'epochs'],
        properties: { stage: { type: 'integer', minimum: 1 }, weights: { enum: ['binary', 'real'] }, firstEpoch: COUNT, epochs: COUNT },
      },
    },
  },
} as const;

/** JSON Schema of one TrainingEpoch. */
export const TRAINING_EPOCH_SCHEMA = {
  type: 'object',
  required: ['epoch', 'trainLoss', 'testAccuracy', 'testLoss', 'learningRate', 'seconds'],
  properties: {
    epoch: { type: 'integer', minimum: 1 },
    trainLoss: NUMBER,
    testAccuracy: FRACTION,
    testLoss: NUMBER,
    learningRate: NUMBER,
    seconds: { type: 'number', minimum: 0 },
    weights: { enum: ['binary', 'real'] },
    testMiou: FRACTION,
  },
} as const;

const HISTORY_SCHEMA = { type: 'array', items: TRAINING_EPOCH_SCHEMA } as const;

/** JSON Schema of `result.json`. */
export const RUN_RESULT_SCHEMA = {
  type: 'object',
  required: ['testAccuracy', 'testLoss', 'testImages', 'epochs'],
  properties: {
    testAccuracy: FRACTION,
    testLoss: NUMBER,
    testImages: COUNT,
    epochs: HISTORY_SCHEMA,
    testMiou: FRACTION,
    testIou: { type: 'array', items: { anyOf: [FRACTION, { type: 'null' }] } },
  },
} as const;

/** Where a directory stands: no run in it, a run started (it resumes), or a finished run. */
export type RunState = 'absent' | 'started' | 'finished';

export function runState(dir: string): RunState {
  if (existsSync(runFile(dir, 'result'))) return 'finished';
  return existsSync(runFile(dir, 'record')) ? 'started' : 'absent';
}

export function writeRunRecord(dir: string, record: RunRecord): void {
  writeJsonAtomic(runFile(dir, 'record'), { ...record, options: optionsStoredIn(dir, record.options) });
}

/** A run directory's `run.json`, checked against its schema (the teacher's path made absolute again). */
export function readRunRecord(dir: string): RunRecord {
  const file = runFile(dir, 'record');
  if (!existsSync(file)) throw new UsageError(`${dir}: not a groupnas run directory (no ${RUN_FILES.record})`);
  const record = readValidJsonFile<RunRecord>(file, RUN_RECORD_SCHEMA);
  const archProblemsFound = archProblems(record.arch);
  if (archProblemsFound.length > 0)
    throw new ValidationError(
      file,
      archProblemsFound.map((p) => ({ ...p, path: p.path === '(root)' ? 'arch' : `arch.${p.path}` })),
    );
  return { ...record, options: optionsReadFrom(dir, record.options) };
}

export function writeRunHistory(dir: string, epochs: readonly TrainingEpoch[]): void {
  writeJsonAtomic(runFile(dir, 'history'), epochs);
}

/** The run's history.json (rewritten after every epoch, so a reader can follow a run while it trains); [] before the first epoch ended. */
export function readRunHistory(dir: string): TrainingEpoch[] {
  const file = runFile(dir, 'history');
  return existsSync(file) ? readValidJsonFile<TrainingEpoch[]>(file, HISTORY_SCHEMA) : [];
}

export function writeRunResult(dir: string, result: RunResult): void {
  writeJsonAtomic(runFile(dir, 'result'), result);
}

/** The run's result, or undefined while it has not finished; a damaged file is an error naming it and the field. */
export function readRunResult(dir: string): RunResult | undefined {
  const file = runFile(dir, 'result');
  return existsSync(file) ? readValidJsonFile<RunResult>(file, RUN_RESULT_SCHEMA) : undefined;
}

/** Training seconds summed over a run's epochs (over every session that trained it). */
export function trainingSeconds(epochs: readonly TrainingEpoch[]): number {
  return epochs.reduce((sum, e) => sum + (typeof e.seconds === 'number' ? e.seconds : 0), 0);
}

/**
 * The run's data set must be the one it was trained on (same images, same normalization):
 * a run resumed, evaluated or exported on other data would mix two experiments.
 */
export function checkRunDataset(dir: string, record: RunRecord, dataset: Dataset): void {
  if (dataset.checksum === record.dataset.checksum) return;
  throw new UsageError(
    `${runFile(dir, 'record')}: dataset.checksum: the run was trained on ${record.dataset.name} (${record.dataset.checksum.slice(0, 12)}…) ` +
      `but the data it names (${record.options.data}) now holds ${dataset.checksum.slice(0, 12)}…`,
  );
}
