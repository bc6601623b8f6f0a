/**
 * One file of a run directory as `groupnas validate` reports it: whether the reader a resumed run
 * uses accepts it, and what that resumed run does with it. The readers and the decisions stay with
 * their run directory (train/validate-training-run.ts, search/validate-run-directory.ts); this is
 * only the shape of their verdict.
 *
 *   ok        the reader accepts it
 *   absent    not written yet, as expected where the run stands (search.json before the first epoch)
 *   missing   where the run stands it should be there, and is not
 *   damaged   the reader refuses it (`problem`: its message, naming the file and the field)
 */
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
