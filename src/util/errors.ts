/**
 * Typed errors for user mistakes and for what the machine refuses. The CLI prints `message` alone
 * (one line, no stack trace) for every GroupnasError and exits with its `exitCode`: 2 for a user's
 * mistake, 3 when the file system refused (fileSystemError turns Node's errors into those), 4 for
 * a job that ran but could not finish truthfully; anything else is a bug and keeps its stack (exit 1).
 */
export class GroupnasError extends Error {
  /** The process exit code the CLI ends with. */
  readonly exitCode: number = 2;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A file a user gave us (config, arch, data, model) is not what it should be. */
export class FileFormatError extends GroupnasError {
  constructor(
    readonly file: string,
    readonly field: string,
    readonly expected: string,
  ) {
    super(`${file}: ${field ? `${field}: ` : ''}${expected}`);
  }
}

/** A command-line argument or API argument is out of its allowed range. */
export class UsageError extends GroupnasError {}

/**
 * A directory given as a run directory does not fit: a new run's already holds a run (`taken`), or
 * the run to continue is not there (`missing`). The message speaks of the directory; the CLI names
 * the flag that gave it (`--out`, `--resume`).
 */
export class RunDirectoryError extends UsageError {
  constructor(
    readonly dir: string,
    readonly problem: 'taken' | 'missing',
    /** What is wrong, without the directory: "already holds a search; …". */
    readonly detail: string,
  ) {
    super(`${dir}: ${detail}`);
  }
}

/**
 * A job ran but cannot give a truthful result (a search whose candidates did not all evaluate):
 * its files are kept as they were for a rerun to continue, and the CLI exits 4.
 */
export class IncompleteRunError extends GroupnasError {
  override readonly exitCode = 4;
}

/** Something optional (a backend, a native engine, a peer tool) is not installed here. */
export class NotAvailableError extends GroupnasError {}

/** The file system's causes a user can act on, in words. */
const FILE_SYSTEM_CAUSES: Readonly<Record<string, string>> = {
  ENOSPC: 'disk full',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOTDIR: 'not a directory (a part of the path is a file)',
  EISDIR: 'is a directory (expected a file)',
  ENOENT: 'no such file or directory',
  EEXIST: 'already exists',
  ENAMETOOLONG: 'file name too long',
  EMFILE: 'too many open files',
  EIO: 'input/output error (the disk or its connection failed)',
  ELOOP: 'too many symbolic links',
};

/** The file system refused a read or a write: one line with the path and the cause in words (exit 3). */
export class FileSystemError extends GroupnasError {
  override readonly exitCode = 3;
  constructor(
    readonly path: string,
    /** Node's error code (ENOSPC, EROFS, …). */
    readonly code: string,
    readonly syscall?: string,
  ) {
    super(`${path}: ${FILE_SYSTEM_CAUSES[code] ?? code}${syscall ? ` (${code} on ${syscall})` : ` (${code})`}`);
  }
}

/**
 * A file-system error as it arrives from a worker thread, which keeps only the message: Node's
 * (`ENOSPC: no space left on device, open '/x'`) or a FileSystemError's (`/x: disk full (ENOSPC on write)`).
 */
const NODE_FS_MESSAGE = /^(E[A-Z]+): [^,]*, (\w+) '([^']*)'/;
const RELAYED_MESSAGE = /^(.+): [^:]+ \((E[A-Z]+)(?: on (\w+))?\)$/;

/**
 * `err` as a FileSystemError when it is the file system refusing (a Node error with a known code
 * and a path, or its message relayed from a worker), else undefined. `path` names the file for
 * errors that carry none (a failed `write` on an open file).
 */
export function fileSystemError(err: unknown, path?: string): FileSystemError | undefined {
  if (err instanceof FileSystemError) return err;
  if (!(err instanceof Error)) return undefined;
  const e = err as NodeJS.ErrnoException;
  const where = path ?? e.path;
  if (typeof e.code === 'string' && FILE_SYSTEM_CAUSES[e.code] !== undefined && typeof where === 'string') return new FileSystemError(where, e.code, e.syscall);
  const node = NODE_FS_MESSAGE.exec(e.message);
  if (node && FILE_SYSTEM_CAUSES[node[1]!] !== undefined) return new FileSystemError(node[3]!, node[1]!, node[2]);
  const relayed = RELAYED_MESSAGE.exec(e.message);
  if (relayed && FILE_SYSTEM_CAUSES[relayed[2]!] !== undefined) return new FileSystemError(relayed[1]!, relayed[2]!, relayed[3]);
  return undefined;
}
