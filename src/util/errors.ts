/**
 * Typed errors for user mistakes. The CLI prints `message` alone (no stack trace)
 * for every GroupnasError; anything else is a bug and keeps its stack.
 */
export class GroupnasError extends Error {
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

/** Something optional (a backend, a native engine, a peer tool) is not installed here. */
export class NotAvailableError extends GroupnasError {}
