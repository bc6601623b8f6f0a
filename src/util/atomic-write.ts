import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { fileSystemError } from './errors.js';

let counter = 0;

/** Write all of `data` to `fd` (writeSync may write less than asked). */
function writeAll(fd: number, data: Uint8Array): void {
  for (let done = 0; done < data.length;) done += writeSync(fd, data, done, data.length - done);
}

/** Flush a directory's entries (the rename) to the disk; file systems that cannot fsync a directory are left as they are. */
function fsyncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EINVAL' && code !== 'EPERM' && code !== 'EBADF') throw err;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Create `dir` and its missing parents. Node's recursive mkdir reports a read-only or forbidden
 * parent as ENOENT ("no such file or directory", which misleads); then the first missing directory
 * is created alone, which fails with the real cause (EROFS, EACCES).
 */
export function makeDirectory(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw fileSystemError(err) ?? err;
    let missing = dir;
    while (!existsSync(dirname(missing)) && dirname(missing) !== missing) missing = dirname(missing);
    try {
      mkdirSync(missing);
    } catch (real) {
      throw fileSystemError(real) ?? real;
    }
    throw fileSystemError(err) ?? err;
  }
}

/**
 * Write a file so that readers see either the old content or the new, never a part — also after a
 * power loss: write a temp file beside it, fsync it (without, many file systems commit the rename
 * before the data, leaving an empty file), rename it over the target (atomic on one file system),
 * then fsync the directory so the rename itself is on the disk. A failure removes the temp file
 * and is a FileSystemError naming `path` (disk full, read-only, permission denied).
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  makeDirectory(dirname(path));
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${counter++}.tmp`);
  try {
    const fd = openSync(tmp, 'w');
    try {
      writeAll(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
    fsyncDirectory(dirname(path));
  } catch (err) {
    rmSync(tmp, { force: true });
    throw fileSystemError(err, path) ?? err;
  }
}

/** JSON with two-space indentation and a final newline, written atomically. */
export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}
