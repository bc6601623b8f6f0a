/**
 * The dashboard's trust boundary: every path it touches comes from a request, and must name a run
 * directory or a file inside one under `--runs`. Stated, then enforced in this order:
 *
 *   1. the request's path is relative, POSIX-separated, without `.`/`..` segments, NUL or
 *      backslashes (after the URL decoding the router did: `%2e%2e%2f` arrives here as `../`);
 *   2. its real path (symlinks resolved) still lies inside the real path of `--runs`, so a
 *      symlink pointing out of the tree is refused even where the request itself was clean;
 *   3. it is what the caller asked for (a directory, or a regular file).
 *
 * Nothing here writes: the dashboard is read-only.
 */
import { realpathSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';
import { GroupnasError } from '../util/errors.js';

/** A request the dashboard refuses or cannot answer, with the HTTP status that says why. */
export class RunRequestError extends GroupnasError {
  constructor(
    readonly status: 400 | 403 | 404 | 413 | 422,
    message: string,
  ) {
    super(message);
  }
}

const MAX_PATH = 1024;

/** Check a request's relative path (step 1); the empty path means the root itself. */
export function checkRelativePath(path: string, what: string): string[] {
  if (path.length > MAX_PATH) throw new RunRequestError(400, `${what}: longer than ${MAX_PATH} characters`);
  if (path === '') return [];
  if (path.includes('\0') || path.includes('\\')) throw new RunRequestError(400, `${what}: NUL and backslashes are not allowed`);
  if (path.startsWith('/')) throw new RunRequestError(400, `${what}: expected a path relative to the runs directory`);
  const segments = path.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..')) throw new RunRequestError(400, `${what}: empty, '.' and '..' segments are not allowed`);
  return segments;
}

/** The runs directory as given and as its real path (resolved once; the tree below is checked on every request). */
export class RunsRoot {
  readonly real: string;

  constructor(readonly dir: string) {
    try {
      this.real = realpathSync(dir);
    } catch {
      throw new RunRequestError(404, `--runs ${dir}: no such directory`);
    }
    if (!statSync(this.real).isDirectory()) throw new RunRequestError(404, `--runs ${dir}: not a directory`);
  }

  /** Steps 1–3 for `relative` (a run id, or a run id joined with a file inside it). */
  resolve(relative: string, expect: 'directory' | 'file', what: string): string {
    const segments = checkRelativePath(relative, what);
    let real: string;
    try {
      real = realpathSync(join(this.real, ...segments));
    } catch {
      throw new RunRequestError(404, `${what}: ${relative} does not exist`);
    }
    if (real !== this.real && !real.startsWith(this.real + sep)) throw new RunRequestError(403, `${what}: ${relative} leads out of the runs directory`);
    let stats;
    try {
      stats = statSync(real);
    } catch {
      throw new RunRequestError(404, `${what}: ${relative} does not exist`);
    }
    if (expect === 'directory' ? !stats.isDirectory() : !stats.isFile()) throw new RunRequestError(404, `${what}: ${relative} is not a ${expect}`);
    return real;
  }
}
