/**
 * `groupnas validate DIR` on a reproduction's directory (reproduce-table.ts): its reproduce.json,
 * read as `groupnas reproduce` reads it, and every row's training run, with what running the same
 * command again (the reproduction's resume) does with each file that is not sound:
 *
 *   reproduce.json   compared with the budget asked: damaged, the command refuses
 *   <preset>-seed<s> every row read before anything trains: a damaged run.json is refused; a
 *                    finished row is kept (its result read into the table), a started one resumes
 *                    from its checkpoint
 *
 * results.json and results.md are the table the command rewrites at its end; no reader takes them
 * back, so they are not checked.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runFile } from '../train/run-directory.js';
import { validateTrainingRun, type ResumeAction } from '../train/validate-training-run.js';
import { checkFile, runDirectoryReport, type RunDirectoryReport } from '../util/file-check.js';
import { MANIFEST_FILE, readManifest } from './reproduce-table.js';

/** Whether `dir` holds a reproduction. */
export function isReproduceDirectory(dir: string): boolean {
  return existsSync(join(dir, MANIFEST_FILE));
}

/** A row as the same `groupnas reproduce` command treats it again (reproduceTable). */
const ROW_RESUME: ResumeAction = (file, _state, finished) => {
  if (file === 'record') return "refuses with this error: every row's run.json is checked against the budget first";
  if (file === 'checkpoint') return finished ? 'not read (the row is finished and kept)' : 'refuses with this error: the row resumes from it';
  if (file === 'history') return 'not read';
  return 'refuses with this error when it writes results.json, which reads it';
};

export function validateReproduceDirectory(dir: string): RunDirectoryReport {
  const checked = checkFile(dir, MANIFEST_FILE, readManifest, true, 'refuses with this error');
  const manifest =
    checked.state === 'missing' ? { ...checked, resume: "written again from the budget asked (every row's run.json is still checked against it)" } : checked;
  const rows = readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(runFile(join(dir, e.name), 'record')))
    .map((e) => e.name)
    .sort();
  const files = [manifest, ...rows.flatMap((row) => validateTrainingRun(join(dir, row), ROW_RESUME, row))];
  return runDirectoryReport(dir, 'reproduce', `the same groupnas reproduce command with --out ${dir}`, files);
}
