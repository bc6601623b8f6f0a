/**
 * One line of the runs table, the same for every kind of run: what it is, whether it still runs,
 * how good its best result is, and the problems met reading it. Status:
 *
 *   running   activity.json names a live process
 *   done      the run's final files are there (or its process ended as done)
 *   stopped   interrupted (Ctrl-C, a kill) before its end; resumable
 *   failed    its process ended with an error, or it finished without any usable result
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { readActivity, type ActivityState } from '../util/run-activity.js';
import type { ProblemList, RunFileProblem } from './run-files.js';

export type RunKind = 'search' | 'train' | 'teacher' | 'reproduce';
export type RunStatus = 'running' | 'done' | 'stopped' | 'failed';

export interface RunSummary {
  /** Path relative to `--runs`, POSIX separators. */
  id: string;
  kind: RunKind;
  /** The config's or the architecture's name. */
  name: string;
  status: RunStatus;
  /** Why a failed run failed, when known. */
  reason?: string;
  /** Best test accuracy in [0, 1] so far. */
  bestAccuracy?: number;
  /** Measured latency (ms, batch 1) of the chosen architecture. */
  chosenLatencyMs?: number;
  /** ISO time. */
  startedAt?: string;
  /** E.g. "3/8 epochs, 2/5 candidates". */
  progress: string;
  problems: RunFileProblem[];
}

/** The run's activity, read like its other files (a damaged activity.json is a problem of the run, not of the server). */
export function activityOf(dir: string, problems: ProblemList): ActivityState | undefined {
  return problems.attempt(join(dir, 'activity.json'), () => readActivity(dir));
}

/**
 * The status from the activity and what the files say: `finished` (the final files exist) and,
 * for a finished run, `unusable` (why its result cannot be used, e.g. every candidate failed).
 */
export function runStatus(activity: ActivityState | undefined, finished: boolean, unusable?: string): { status: RunStatus; reason?: string } {
  if (activity?.state === 'running') return { status: 'running' };
  if (activity?.state === 'failed') return { status: 'failed', ...(activity.error ? { reason: activity.error } : {}) };
  if (finished || activity?.state === 'done') return unusable !== undefined ? { status: 'failed', reason: unusable } : { status: 'done' };
  return { status: 'stopped' };
}

/** When a file was last written, as ISO time (the start of a run whose first file is never rewritten). */
export function writtenAt(file: string): string | undefined {
  try {
    return statSync(file).mtime.toISOString();
  } catch {
    return undefined;
  }
}

/** The largest finite value, or undefined. */
export function best(values: readonly (number | undefined)[]): number | undefined {
  const finite = values.filter((v): v is number => v !== undefined && Number.isFinite(v));
  return finite.length > 0 ? Math.max(...finite) : undefined;
}
