import { openSync, closeSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../util/errors.js';

const LOCK_FILE = 'reproduce.lock';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Hold `dir` for this process while it trains rows there: two processes resuming the same run
 * would overwrite each other's checkpoints. A lock left by a killed process (its pid gone) is taken over.
 * Returns the release function.
 */
export function lockDirectory(dir: string): () => void {
  const file = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number.parseInt(readFileSync(file, 'utf8'), 10);
      if (Number.isInteger(holder) && holder !== process.pid && alive(holder)) {
        throw new UsageError(
          `${dir}: process ${holder} is training rows here (${LOCK_FILE}); wait for it or stop it first (or delete ${file} if that process is not groupnas)`,
        );
      }
      rmSync(file, { force: true });
    }
  }
  throw new UsageError(`${file}: could not take the lock (another process keeps creating it)`);
}
