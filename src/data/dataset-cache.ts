/**
 * One loaded data set per thread, handed out again while its files are unchanged. An evaluation
 * worker trains, tests and exports candidate after candidate on the same data; reading it afresh
 * each time (gunzip, checksum, channel statistics, and the garbage of all three) costs a small
 * candidate as much as one of its training steps. Only the last data set is kept, so a thread
 * that moves on to other data does not hold the old one.
 *
 * Callers share the returned Dataset: it must be treated as read-only (everything in src/data
 * copies or views, nothing writes into a set's arrays).
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Dataset } from './dataset.js';
import { loadDataset, type LoadDatasetOptions } from './locate.js';

let last: { key: string; stamp: string; dataset: Dataset } | undefined;

/** Names, sizes and modification times of the files a data set was read from: changes when they do. */
function filesStamp(dir: string): string {
  return readdirSync(dir)
    .sort()
    .map((name) => {
      const s = statSync(join(dir, name));
      return `${name}:${s.size}:${s.mtimeMs}`;
    })
    .join('|');
}

/** `loadDataset(options)`, answered from this thread's cache when the same data's files are unchanged. */
export function loadDatasetCached(options: LoadDatasetOptions = {}): Dataset {
  const data = options.data ?? 'embedded';
  // A directory given relative to the working directory names other files once that changes.
  const key = `${data}\0${process.cwd()}`;
  if (last !== undefined && last.key === key && filesStamp(last.dataset.path) === last.stamp) return last.dataset;
  last = undefined; // the old set is released before the new one is read
  const dataset = loadDataset({ data });
  last = { key, stamp: filesStamp(dataset.path), dataset };
  return dataset;
}
