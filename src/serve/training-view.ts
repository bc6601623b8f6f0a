/**
 * A training run (or a teacher: a training run of a full-precision architecture) as the dashboard
 * shows it: run.json (architecture, options), history.json (loss and accuracy per epoch, rewritten
 * after each), result.json (the end) and activity.json, plus the architecture's cost summary.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { summarize, type CostCounts } from '../space/index.js';
import { readRunHistory, readRunRecord, readRunResult, runFile, RUN_FILES, type RunRecord, type TrainingEpoch } from '../train/index.js';
import { archSvg } from './arch-svg.js';
import { ProblemList, readRunFile } from './run-files.js';
import { activityOf, best, runStatus, type RunSummary } from './run-summary.js';
import { describeArch } from '../space/index.js';

export const TRAINING_RUN_FILE = RUN_FILES.record;

export interface TrainingView {
  kind: 'train' | 'teacher';
  summary: RunSummary;
  arch?: { name: string; svg: string; summary: string };
  options?: RunRecord['options'];
  dataset?: RunRecord['dataset'];
  /** Params, binary params, BOPs, memory of the architecture. */
  totals?: CostCounts;
  epochs: TrainingEpoch[];
  result?: { testAccuracy: number; testLoss: number; testImages: number };
  /** A packed model in the run directory (`groupnas export` writes one where asked). */
  model?: string;
}

/** Whether run.json's architecture is full precision throughout: the teacher of a distillation. */
export function isTeacher(record: RunRecord): boolean {
  return record.arch.bits.every((b) => b === 32);
}

export function trainingView(dir: string, id: string): TrainingView {
  const problems = new ProblemList(dir);
  // Each file through its train reader, under the size limit and cached while unchanged.
  const read = <T>(role: 'record' | 'history' | 'result', reader: () => T) =>
    problems.attempt(runFile(dir, role), () => readRunFile(runFile(dir, role), reader));
  const record = read('record', () => readRunRecord(dir));
  const history = read('history', () => readRunHistory(dir)) ?? [];
  const result = read('result', () => readRunResult(dir));
  const totals = record ? problems.attempt(runFile(dir, 'record'), () => summarize(record.arch).totals) : undefined;
  const activity = activityOf(dir, problems);
  const kind = record && isTeacher(record) ? 'teacher' : 'train';
  // history.json holds the same epochs as result.json, and is there while the run trains.
  const epochs = history;
  const total = record?.options.epochs;
  const startedAt = activity?.startedAt ?? record?.createdAt;
  const bestAccuracy = best(epochs.map((e) => e.testAccuracy));
  const summary: RunSummary = {
    id,
    kind,
    name: record?.arch.name ?? id,
    ...runStatus(activity, result !== undefined),
    ...(bestAccuracy !== undefined ? { bestAccuracy } : {}),
    ...(startedAt !== undefined ? { startedAt } : {}),
    progress: `${epochs.length}${total !== undefined ? `/${total}` : ''} epochs`,
    problems: problems.problems,
  };
  const model = ['model.gnb'].find((f) => existsSync(join(dir, f)));
  return {
    kind,
    summary,
    ...(record
      ? {
          arch: { name: record.arch.name ?? 'arch', svg: archSvg(record.arch), summary: describeArch(record.arch) },
          options: record.options,
          dataset: record.dataset,
        }
      : {}),
    ...(totals ? { totals } : {}),
    epochs,
    ...(result ? { result: { testAccuracy: result.testAccuracy, testLoss: result.testLoss, testImages: result.testImages } } : {}),
    ...(model ? { model } : {}),
  };
}
