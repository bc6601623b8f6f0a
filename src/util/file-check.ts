/**
 * One file of a run directory as `groupnas validate` reports it: whether the reader a resumed run
 * uses accepts it, and what that resumed run does with it. The readers and the decisions stay with
 * their run directory (train/validate-training-run.ts, search/validate-run-directory.ts,
 * reproduce/validate-reproduce-directory.ts); this is only the shape of their verdict.
 *
 *   ok        the reader accepts it
 *   absent    not written yet, as expected where the run stands (search.json before the first epoch)
 *   missing   where the run stands it should be there, and is not
 *   damaged   the reader refuses it (`problem`: its message, naming the file and the field)
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { FileFormatError, GroupnasError } from './errors.js';

export type FileState = 'ok' | 'absent' | 'missing' | 'damaged';

export interface FileCheck {
  /** The file's path relative to the directory validated. */
  file: string;
  state: FileState;
  /** The reader's refusal, when damaged (or why the file counts as missing). */
  problem?: string;
  /** What `--resume` does with the file, when it is not ok. */
  resume?: string;
}

/** `teacher` and `candidate`: a training run inside a search, resumed by the search. */
export type RunKind = 'search' | 'training' | 'teacher' | 'candidate' | 'reproduce';

/** A run directory validated: every file checked, and whether all are sound. */
export interface RunDirectoryReport {
  dir: string;
  kind: RunKind;
  /** The command that resumes the run (a search resumes its teacher and candidates with it). */
  resumedBy: string;
  /** Every file checked, paths relative to `dir`. */
  files: FileCheck[];
  /** No file missing or damaged. */
  valid: boolean;
}

/** At most this many of a file's problems are told on its line. */
const PROBLEMS_TOLD = 3;

/**
 * Whether `read` accepts its file: undefined, else the typed error it refuses it with, on one line
 * (a schema's several problems joined, the file named once); anything else is a bug and is thrown.
 */
export function readerRefusal(read: () => unknown): string | undefined {
  try {
    read();
    return undefined;
  } catch (err) {
    if (!(err instanceof GroupnasError)) throw err;
    const [first, ...more] = err.message.split('\n');
    const named = err instanceof FileFormatError ? `${err.file}: ` : '';
    const rest = more.slice(0, PROBLEMS_TOLD - 1).map((line) => (named && line.startsWith(named) ? line.slice(named.length) : line));
    const untold = more.length - rest.length;
    return [first!, ...rest].join('; ') + (untold > 0 ? ` (and ${untold} more)` : '');
  }
}

/** A file neither missing nor damaged. */
export function isSound(check: FileCheck): boolean {
  return check.state === 'ok' || check.state === 'absent';
}

/** `file` (relative to `dir`) checked by `read`: ok, damaged with `resume`, or, when not there, absent or missing (`expected`). */
export function checkFile(dir: string, file: string, read: (path: string) => unknown, expected: boolean, resume: string): FileCheck {
  const path = join(dir, file);
  if (!existsSync(path)) return expected ? { file, state: 'missing', resume } : { file, state: 'absent' };
  const problem = readerRefusal(() => read(path));
  return problem === undefined ? { file, state: 'ok' } : { file, state: 'damaged', problem, resume };
}

/** The report of `files` of run directory `dir`. */
export function runDirectoryReport(dir: string, kind: RunKind, resumedBy: string, files: FileCheck[]): RunDirectoryReport {
  return { dir, kind, resumedBy, files, valid: files.every(isSound) };
}

const STATE_WORDS: Record<FileState, string> = { ok: 'ok', absent: 'not yet', missing: 'missing', damaged: 'damaged' };

const KIND_WORDS: Record<RunKind, string> = {
  search: 'search run',
  training: 'training run',
  teacher: "a search's teacher run",
  candidate: "a search's candidate run",
  reproduce: 'reproduction',
};

/** One line per file: its state, what is wrong (the reader's words, without the path the line starts with), what --resume does. */
function fileLine(dir: string, check: FileCheck): string {
  const path = `${dir.replace(/\/+$/, '')}/${check.file}`;
  const problem = check.problem?.startsWith(path) ? check.problem.slice(path.length).replace(/^:?\s*/, '') : check.problem;
  return `  ${STATE_WORDS[check.state].padEnd(8)} ${check.file}${problem ? `: ${problem}` : ''}${check.resume ? ` — resume: ${check.resume}` : ''}`;
}

/** The report as `groupnas validate RUN_DIR` prints it: what the directory is, a line per file, the counts. */
export function formatRunDirectoryReport(report: RunDirectoryReport): string {
  const count = (state: FileState) => report.files.filter((f) => f.state === state).length;
  const counts = (['ok', 'absent', 'missing', 'damaged'] as const).filter((s) => count(s) > 0).map((s) => `${count(s)} ${STATE_WORDS[s]}`);
  return [
    `${report.dir}: ${KIND_WORDS[report.kind]}, resumed by ${report.resumedBy}`,
    ...report.files.map((check) => fileLine(report.dir, check)),
    `${report.files.length} files: ${counts.join(', ')} — ${report.valid ? 'valid' : 'not valid'}`,
  ].join('\n');
}
