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
 * that resumes.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Dataset } from '../data/index.js';
import type { OptimizerKind, WeightMode } from '../nn/index.js';
import type { Arch } from '../space/arch.js';
import { writeJsonAtomic } from '../util/atomic-write.js';
import { FileFormatError, UsageError } from '../util/errors.js';
import { readJsonFile, readStampedJsonFile } from '../util/json-file.js';
import type { TrainingStage } from './staged-training.js';
import type { TrainingOptions } from './training-options.js';

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

/** Where a directory stands: no run in it, a run started (it resumes), or a finished run. */
export type RunState = 'absent' | 'started' | 'finished';

export function runState(dir: string): RunState {
  if (existsSync(runFile(dir, 'result'))) return 'finished';
  return existsSync(runFile(dir, 'record')) ? 'started' : 'absent';
}

export function writeRunRecord(dir: string, record: RunRecord): void {
  writeJsonAtomic(runFile(dir, 'record'), record);
}

/** A run directory's `run.json`, with errors that name the file. */
export function readRunRecord(dir: string): RunRecord {
  const file = runFile(dir, 'record');
  if (!existsSync(file)) throw new UsageError(`${dir}: not a groupnas run directory (no ${RUN_FILES.record})`);
  return readStampedJsonFile<RunRecord>(file, RUN_FORMAT, 1);
}

export function writeRunHistory(dir: string, epochs: readonly TrainingEpoch[]): void {
  writeJsonAtomic(runFile(dir, 'history'), epochs);
}

/** The run's history.json (rewritten after every epoch, so a reader can follow a run while it trains); [] before the first epoch ended. */
export function readRunHistory(dir: string): TrainingEpoch[] {
  const file = runFile(dir, 'history');
  if (!existsSync(file)) return [];
  const value = readJsonFile(file);
  if (!Array.isArray(value)) throw new FileFormatError(file, '', 'expected the per-epoch history (an array)');
  value.forEach((e: Partial<TrainingEpoch> | null, i) => {
    for (const key of ['epoch', 'trainLoss', 'testAccuracy', 'testLoss'] as const)
      if (typeof e?.[key] !== 'number') throw new FileFormatError(file, `[${i}].${key}`, 'expected a number');
  });
  return value as TrainingEpoch[];
}

export function writeRunResult(dir: string, result: RunResult): void {
  writeJsonAtomic(runFile(dir, 'result'), result);
}

/** The run's result, or undefined while it has not finished; a damaged file is an error naming it and the field. */
export function readRunResult(dir: string): RunResult | undefined {
  const file = runFile(dir, 'result');
  if (!existsSync(file)) return undefined;
  const raw = readJsonFile(file) as Partial<Record<keyof RunResult, unknown>> | null;
  if (raw === null || typeof raw !== 'object') throw new FileFormatError(file, '', 'expected an object');
  for (const field of ['testAccuracy', 'testLoss', 'testImages'] as const) {
    if (typeof raw[field] !== 'number') throw new FileFormatError(file, field, 'expected a number');
  }
  if (!Array.isArray(raw.epochs)) throw new FileFormatError(file, 'epochs', 'expected the per-epoch history (an array)');
  return raw as RunResult;
}

/** Training seconds summed over the run's epochs (over every session that trained it). */
export function trainingSeconds(result: RunResult): number {
  return result.epochs.reduce((sum, e) => sum + (typeof e.seconds === 'number' ? e.seconds : 0), 0);
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
