/**
 * The runs under `--runs`: every directory holding a run's first file — config.json (a search),
 * run.json (a training or a teacher), reproduce.json (a reproduction) — found by walking the tree
 * a few levels deep. A run's own subdirectories (a search's teacher/ and evaluation/, the rows of a
 * reproduction) belong to it and are not listed again; they open from its page.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { RunRequestError, type RunsRoot } from './run-path.js';
import { fileSize } from './run-files.js';
import type { RunKind, RunSummary } from './run-summary.js';
import { REPRODUCE_MANIFEST_FILE, reproduceView, type ReproduceView } from './reproduce-view.js';
import { SEARCH_CONFIG_FILE, searchView, type SearchView } from './search-view.js';
import { TRAINING_RUN_FILE, trainingView, type TrainingView } from './training-view.js';

export type RunView = SearchView | TrainingView | ReproduceView;

/** How deep below `--runs` runs are looked for, and how many are listed at most. */
const MAX_DEPTH = 4;
const MAX_RUNS = 1000;

/** The kind of run `dir` holds by its first file (teacher vs train is told by the view), or undefined. */
export function runKindOf(dir: string): Exclude<RunKind, 'teacher'> | undefined {
  if (fileSize(join(dir, SEARCH_CONFIG_FILE))) return 'search';
  if (fileSize(join(dir, TRAINING_RUN_FILE))) return 'train';
  if (fileSize(join(dir, REPRODUCE_MANIFEST_FILE))) return 'reproduce';
  return undefined;
}

/** Ids (relative paths) of the runs under the root; symlinks leading out of it are skipped. */
export function findRunIds(root: RunsRoot): string[] {
  const ids: string[] = [];
  const walk = (relative: string, depth: number) => {
    if (ids.length >= MAX_RUNS) return;
    let dir: string;
    try {
      dir = root.resolve(relative, 'directory', 'runs');
    } catch {
      return;
    }
    if (relative !== '' && runKindOf(dir) !== undefined) {
      ids.push(relative);
      return;
    }
    if (depth >= MAX_DEPTH) return;
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.name.startsWith('.') || !(e.isDirectory() || e.isSymbolicLink())) continue;
      walk(relative === '' ? e.name : `${relative}/${e.name}`, depth + 1);
    }
  };
  walk('', 0);
  return ids;
}

/** The view of run `id` (also a run inside another, e.g. a search's teacher/); 404 when it is not a run. */
export function runView(root: RunsRoot, id: string): RunView {
  const dir = root.resolve(id, 'directory', 'run');
  const kind = runKindOf(dir);
  if (kind === 'search') return searchView(dir, id, root.real);
  if (kind === 'train') return trainingView(dir, id);
  if (kind === 'reproduce') return reproduceView(dir, id);
  throw new RunRequestError(404, `run ${id}: not a run directory (no ${SEARCH_CONFIG_FILE}, ${TRAINING_RUN_FILE} or ${REPRODUCE_MANIFEST_FILE})`);
}

/** Every run's summary, the most recently started first. A run that vanished meanwhile is left out. */
export function listRuns(root: RunsRoot): RunSummary[] {
  const summaries: RunSummary[] = [];
  for (const id of findRunIds(root)) {
    try {
      summaries.push(runView(root, id).summary);
    } catch (err) {
      if (!(err instanceof RunRequestError)) throw err;
    }
  }
  return summaries.sort((a, b) => (b.startedAt ?? '').localeCompare(a.startedAt ?? '') || a.id.localeCompare(b.id));
}
