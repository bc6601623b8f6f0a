/**
 * Reading a run's files while its process may still be writing them: every reader is one of the
 * train/search readers (they name the file and field of a defect), guarded by a size limit so a
 * huge file cannot exhaust the server, and cached by (mtime, size) so polling a large search.json
 * costs a `stat` until the search rewrites it. A defect becomes a `RunFileProblem` that the view
 * shows on its run; it never escapes to the server.
 */
import { statSync } from 'node:fs';
import { basename, relative } from 'node:path';
import { GroupnasError } from '../util/errors.js';

/** Larger JSON files are refused rather than parsed (search.json of a long search is a few MB). */
export const MAX_RUN_FILE_BYTES = 64 * 2 ** 20;

/** One file of a run that could not be read, and why (relative to the run directory). */
export interface RunFileProblem {
  file: string;
  message: string;
}

interface CacheEntry {
  mtimeMs: number;
  size: number;
  value: unknown;
}

const cache = new Map<string, CacheEntry>();
const MAX_CACHED = 512;

/** Size, or undefined when the file does not exist (or is not a file). */
export function fileSize(file: string): { size: number; mtimeMs: number } | undefined {
  try {
    const s = statSync(file);
    return s.isFile() ? { size: s.size, mtimeMs: s.mtimeMs } : undefined;
  } catch {
    return undefined;
  }
}

/** `read(file)` under the size limit, reusing the last result while the file is unchanged; undefined when the file is absent. */
export function readRunFile<T>(file: string, read: (file: string) => T, limit = MAX_RUN_FILE_BYTES): T | undefined {
  const stats = fileSize(file);
  if (stats === undefined) return undefined;
  if (stats.size > limit) throw new GroupnasError(`${basename(file)}: ${stats.size} bytes, more than the ${limit} bytes the dashboard reads`);
  const hit = cache.get(file);
  if (hit && hit.mtimeMs === stats.mtimeMs && hit.size === stats.size) return hit.value as T;
  const value = read(file);
  if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!);
  cache.set(file, { ...stats, value });
  return value;
}

/** Collects the problems of one view: `attempt` returns undefined for a file that failed, and the problem is kept. */
export class ProblemList {
  readonly problems: RunFileProblem[] = [];

  constructor(private readonly runDir: string) {}

  attempt<T>(file: string, read: () => T): T | undefined {
    try {
      return read();
    } catch (err) {
      if (!(err instanceof GroupnasError) && !(err instanceof SyntaxError) && !(err instanceof TypeError) && !(err instanceof RangeError)) throw err;
      this.problems.push({ file: relative(this.runDir, file) || '.', message: err.message });
      return undefined;
    }
  }
}
