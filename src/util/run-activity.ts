/**
 * `activity.json`: whether a run directory's process is still at work. Long jobs (a search, a
 * training) write it when they start and again when they end, so a reader (`groupnas serve`) can
 * tell a running run from one that was stopped, killed or failed — the run's other files only say
 * how far it got.
 *
 *   { format, version, pid, hostname, startedAt }                      while the process works
 *   { …, endedAt, outcome: 'done' | 'stopped' | 'failed', error? }     once it ended
 *
 * A process killed outright never writes the end: its pid is gone, and the reader calls the run
 * stopped (on the same host; another host's pid cannot be checked and counts as alive).
 */
import { existsSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { writeJsonAtomic } from './atomic-write.js';
import { readStampedJsonFile } from './json-file.js';

export const ACTIVITY_FILE = 'activity.json';
const ACTIVITY_FORMAT = 'groupnas.activity';

export type ActivityOutcome = 'done' | 'stopped' | 'failed';

export interface ActivityRecord {
  format: typeof ACTIVITY_FORMAT;
  version: 1;
  pid: number;
  hostname: string;
  startedAt: string;
  endedAt?: string;
  outcome?: ActivityOutcome;
  /** The first line of the error a failed run ended with. */
  error?: string;
}

export interface Activity {
  /** Record how the work ended (call once). */
  end(outcome: ActivityOutcome, error?: unknown): void;
}

/** Mark `dir` as worked on by this process from now on. */
export function beginActivity(dir: string): Activity {
  const started: ActivityRecord = { format: ACTIVITY_FORMAT, version: 1, pid: process.pid, hostname: hostname(), startedAt: new Date().toISOString() };
  writeJsonAtomic(join(dir, ACTIVITY_FILE), started);
  return {
    end(outcome, error) {
      const message = error === undefined ? undefined : (error instanceof Error ? error.message : String(error)).split('\n')[0];
      try {
        writeJsonAtomic(join(dir, ACTIVITY_FILE), { ...started, endedAt: new Date().toISOString(), outcome, ...(message ? { error: message } : {}) });
      } catch (err) {
        // A run that failed because the disk is full cannot record so either; its own error is what to report.
        if (error === undefined) throw err;
      }
    },
  };
}

/** Run `work` with `dir` marked as active; a throw ends it as failed (and is rethrown). */
export function withActivity<T>(dir: string, work: () => T, outcomeOf: (result: T) => ActivityOutcome = () => 'done'): T {
  const activity = beginActivity(dir);
  try {
    const result = work();
    activity.end(outcomeOf(result));
    return result;
  } catch (err) {
    activity.end('failed', err);
    throw err;
  }
}

/** Whether process `pid` exists on this host (EPERM: it exists, owned by someone else). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface ActivityState {
  /** `running` while the process works; otherwise how it ended (`stopped` also for a killed process). */
  state: 'running' | ActivityOutcome;
  startedAt: string;
  endedAt?: string;
  error?: string;
}

/** What `dir`'s activity.json says, undefined when the run has none (runs of older versions). Throws FileFormatError on a damaged file. */
export function readActivity(dir: string): ActivityState | undefined {
  const file = join(dir, ACTIVITY_FILE);
  if (!existsSync(file) || !statSync(file).isFile()) return undefined;
  const record = readStampedJsonFile<ActivityRecord>(file, ACTIVITY_FORMAT, 1);
  const common = {
    startedAt: String(record.startedAt),
    ...(record.endedAt ? { endedAt: record.endedAt } : {}),
    ...(record.error ? { error: record.error } : {}),
  };
  if (record.outcome !== undefined) return { state: record.outcome, ...common };
  const alive = record.hostname !== hostname() || processAlive(record.pid);
  return { state: alive ? 'running' : 'stopped', ...common };
}
