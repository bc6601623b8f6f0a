import { describe, expect, it } from 'vitest';
import { FileSystemError, fileSystemError, UsageError } from '../../src/util/errors.js';

const nodeError = (code: string, syscall: string, path?: string) =>
  Object.assign(new Error(`${code}: something, ${syscall}${path ? ` '${path}'` : ''}`), { code, syscall, ...(path ? { path } : {}) });

describe('fileSystemError', () => {
  it('says the path and the cause in words, exit code 3', () => {
    const e = fileSystemError(nodeError('EROFS', 'mkdir', '/mnt/run'))!;
    expect(e).toBeInstanceOf(FileSystemError);
    expect(e.message).toBe('/mnt/run: read-only file system (EROFS on mkdir)');
    expect(e.exitCode).toBe(3);
    expect(new UsageError('x').exitCode).toBe(2);
  });

  it('names the file for an error that carries no path (a failed write on an open file)', () => {
    expect(fileSystemError(nodeError('ENOSPC', 'write'), '/run/checkpoint.gnck')!.message).toBe('/run/checkpoint.gnck: disk full (ENOSPC on write)');
    expect(fileSystemError(nodeError('ENOSPC', 'write'))).toBeUndefined();
  });

  it('recognizes a file-system error relayed from a worker thread, which keeps only the message', () => {
    expect(fileSystemError(new Error("EACCES: permission denied, open '/a/b'"))!.message).toBe('/a/b: permission denied (EACCES on open)');
    expect(fileSystemError(new Error('/a/b: disk full (ENOSPC on write)'))!.message).toBe('/a/b: disk full (ENOSPC on write)');
    expect(fileSystemError(new Error('injected fault: the task threw mid-training'))).toBeUndefined();
    expect(fileSystemError('ENOSPC')).toBeUndefined();
  });
});
