import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOCK_DIR, LOCK_OWNER_FILE, lockRunDirectory, RunLockedError, runLockHolder, withRunLock } from '../../src/util/run-lock.js';
import { lockAs } from '../helpers/foreign-lock.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'gn-run-lock-'));
/** The pid of a process that has ended. */
const deadPid = () => spawnSync(process.execPath, ['-e', '']).pid!;

describe('lockRunDirectory', () => {
  it('creates the directory, records its owner, and leaves nothing behind once released', () => {
    const dir = join(tmp(), 'run');
    const release = lockRunDirectory(dir);
    expect(existsSync(join(dir, LOCK_DIR))).toBe(true);
    const owner = JSON.parse(readFileSync(join(dir, LOCK_OWNER_FILE), 'utf8')) as { pid: number };
    expect(owner.pid).toBe(process.pid);
    expect(runLockHolder(dir)?.owner?.pid).toBe(process.pid);
    release();
    expect(existsSync(join(dir, LOCK_DIR))).toBe(false);
    expect(existsSync(join(dir, LOCK_OWNER_FILE))).toBe(false);
    expect(runLockHolder(dir)).toBeUndefined();
  });

  it('refuses a directory a live process holds, naming the process', () => {
    const dir = tmp();
    lockAs(dir, process.ppid);
    expect(() => lockRunDirectory(dir)).toThrow(RunLockedError);
    expect(() => lockRunDirectory(dir)).toThrow(`${dir}: in use by process ${process.ppid}`);
    expect(existsSync(join(dir, LOCK_DIR))).toBe(true);
  });

  it('takes over the lock of a process killed outright (its pid is gone)', () => {
    const dir = tmp();
    lockAs(dir, deadPid());
    expect(runLockHolder(dir)).toBeUndefined();
    const release = lockRunDirectory(dir);
    expect(runLockHolder(dir)?.owner?.pid).toBe(process.pid);
    release();
  });

  it('a lock without its owner file is being taken (refused) until it is old enough to be a dead taker’s (taken over)', () => {
    const dir = tmp();
    mkdirSync(join(dir, LOCK_DIR));
    expect(() => lockRunDirectory(dir)).toThrow(/taking its lock right now/);
    const old = new Date(Date.now() - 60_000);
    utimesSync(join(dir, LOCK_DIR), old, old);
    lockRunDirectory(dir)();
    // An owner file left by an earlier lock does not vouch for a new lock directory.
    lockAs(dir, process.ppid);
    rmSync(join(dir, LOCK_DIR), { recursive: true });
    mkdirSync(join(dir, LOCK_DIR));
    utimesSync(join(dir, LOCK_DIR), old, old);
    lockRunDirectory(dir)();
  });

  it('within a held lock, the directory and those below it are held already (a search and its teacher run)', () => {
    const dir = tmp();
    withRunLock(dir, () => {
      const inner = lockRunDirectory(join(dir, 'teacher'));
      inner();
      withRunLock(dir, () => {});
      expect(existsSync(join(dir, 'teacher', LOCK_DIR))).toBe(false);
      expect(runLockHolder(dir)?.owner?.pid).toBe(process.pid);
    });
    expect(existsSync(join(dir, LOCK_DIR))).toBe(false);
  });
});
