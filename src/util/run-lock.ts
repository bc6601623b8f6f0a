/**
 * One process at a time in a run directory. Two processes training, searching or resuming the same
 * run would both spend the compute and overwrite each other's checkpoints; so every job that
 * writes a run directory holds its lock while it works, and a second one is refused at once,
 * naming who holds it.
 *
 *   <dir>/.lock              the lock itself: a directory (mkdir is atomic, on network file systems
 *                            too), removed on release and when the process exits
 *   <dir>/.lock-owner.json   who holds it: pid, host, command, since (written right after the mkdir)
 *
 * A process killed by a signal leaves both behind. Its lock is stale once its pid is gone on this
 * host, and the next job takes it over at once. Staleness by an mtime refreshed on a timer (as
 * proper-lockfile does) cannot work here: training holds the event loop for minutes, the timer would
 * not run, and a live lock would look stale — so the pid decides. A lock held on another host counts
 * as live (its pid cannot be checked here). No signal handler releases locks: training runs
 * synchronously, a handler would only run when it ends, and Ctrl-C or SIGTERM would wait for that;
 * a signal ends the process at once, and every file it writes is atomic.
 *
 * A lock covers the directories below its own: a search holds its run directory, and the teacher
 * and candidate runs it trains inside need no lock of their own (`lockRunDirectory` returns at once
 * for them). Evaluation workers, threads of the search's process, say so with `workUnderCallersLock`.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, type Stats } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve, sep } from 'node:path';
import { makeDirectory, writeJsonAtomic } from './atomic-write.js';
import { fileSystemError, GroupnasError } from './errors.js';
import { processAlive } from './run-activity.js';

export const LOCK_DIR = '.lock';
export const LOCK_OWNER_FILE = '.lock-owner.json';

/** A lock whose owner file is missing is being taken right now, or its taker died between the two writes: after this long, the latter. */
const OWNERLESS_GRACE_MS = 10_000;
/** Tries at taking a lock that is stale or being taken, before giving up. */
const TAKE_ATTEMPTS = 5;

/** Who holds a run directory's lock. */
export interface LockOwner {
  pid: number;
  hostname: string;
  /** The command line that took it (`groupnas search --resume runs/x`). */
  command: string;
  since: string;
  /** The inode and mtime of the lock directory this owner made: an owner file left by an earlier lock does not match. */
  lock: string;
}

/** The run directory is being worked on by another live process. */
export class RunLockedError extends GroupnasError {
  constructor(
    readonly dir: string,
    readonly owner: LockOwner | undefined,
  ) {
    super(
      owner
        ? `${dir}: in use by process ${owner.pid} on ${owner.hostname} since ${owner.since} (${owner.command}); wait for it to end or stop it — ` +
            'the lock of a killed process is taken over by the next run'
        : `${dir}: in use by another process that is taking its lock right now (${LOCK_DIR}); try again in a few seconds`,
    );
  }
}

/** Directories this thread holds (with how many holds), and those its process's main thread holds for it. */
const held = new Map<string, number>();
const coveredByCaller = new Set<string>();

function covering(dir: string): boolean {
  for (const root of [...held.keys(), ...coveredByCaller]) if (dir === root || dir.startsWith(root + sep)) return true;
  return false;
}

/** Which lock directory this is: inodes are reused at once, a reused one with the same mtime is not a concern. */
export function lockIdentity(stat: Stats): string {
  return `${stat.ino}@${stat.mtimeMs}`;
}

function readOwner(dir: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(readFileSync(join(dir, LOCK_OWNER_FILE), 'utf8')) as Partial<LockOwner>;
    return typeof owner.pid === 'number' && typeof owner.hostname === 'string' && typeof owner.lock === 'string' ? (owner as LockOwner) : undefined;
  } catch {
    return undefined;
  }
}

/** The owner of the lock on `dir` as it stands, or undefined when the lock is stale (its process gone). */
function liveOwner(dir: string): { owner: LockOwner | undefined } | undefined {
  let lock;
  try {
    lock = statSync(join(dir, LOCK_DIR));
  } catch {
    return { owner: undefined }; // released meanwhile: try again
  }
  const owner = readOwner(dir);
  if (owner === undefined || owner.lock !== lockIdentity(lock)) return Date.now() - lock.mtimeMs > OWNERLESS_GRACE_MS ? undefined : { owner: undefined };
  if (owner.hostname === hostname() && !processAlive(owner.pid)) return undefined;
  return { owner };
}

/** Run directories whose lock this thread holds: released when the process (or worker thread) exits. */
const locked = new Set<string>();
let releaseOnExit = false;

class LockTaken extends Error {}

function release(dir: string): void {
  if (!locked.delete(dir)) return;
  // The owner file goes first: once the lock is gone, the next holder's owner file may stand there.
  rmSync(join(dir, LOCK_OWNER_FILE), { force: true });
  rmSync(join(dir, LOCK_DIR), { recursive: true, force: true });
}

function take(dir: string): () => void {
  const lockDir = join(dir, LOCK_DIR);
  try {
    mkdirSync(lockDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new LockTaken();
    throw err;
  }
  locked.add(dir);
  if (!releaseOnExit) {
    releaseOnExit = true;
    process.on('exit', () => {
      for (const d of [...locked]) release(d);
    });
  }
  const owner: LockOwner = {
    pid: process.pid,
    hostname: hostname(),
    command: ['groupnas', ...process.argv.slice(2)].join(' '),
    since: new Date().toISOString(),
    lock: lockIdentity(statSync(lockDir)),
  };
  try {
    writeJsonAtomic(join(dir, LOCK_OWNER_FILE), owner);
  } catch (err) {
    release(dir);
    throw err;
  }
  return () => release(dir);
}

/**
 * Hold `dir` (created when missing) for this process until the returned release is called; throws
 * RunLockedError when a live process holds it. A lock of a killed process is taken over. Within a
 * lock this thread holds (on `dir` or a directory above it), returns at once.
 */
export function lockRunDirectory(dir: string): () => void {
  const path = resolve(dir);
  if (covering(path)) {
    held.set(path, (held.get(path) ?? 0) + 1);
    return () => {
      const count = held.get(path)! - 1;
      if (count > 0) held.set(path, count);
      else held.delete(path);
    };
  }
  makeDirectory(path);
  for (let attempt = 1; ; attempt++) {
    try {
      const release = take(path);
      held.set(path, 1);
      return () => {
        held.delete(path);
        release();
      };
    } catch (err) {
      if (!(err instanceof LockTaken)) throw fileSystemError(err) ?? err;
      const live = liveOwner(path);
      if (live?.owner !== undefined || attempt >= TAKE_ATTEMPTS) throw new RunLockedError(dir, live?.owner);
      if (live === undefined) {
        // Stale: its process is gone. Remove it and take it (mkdir decides between two takers).
        rmSync(join(path, LOCK_OWNER_FILE), { force: true });
        rmSync(join(path, LOCK_DIR), { recursive: true, force: true });
      } else {
        // Being taken right now: its owner file follows within milliseconds.
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
      }
    }
  }
}

/** Run `work` holding `dir`'s lock (see lockRunDirectory). */
export function withRunLock<T>(dir: string, work: () => T): T {
  const release = lockRunDirectory(dir);
  try {
    return work();
  } finally {
    release();
  }
}

/** `withRunLock` for asynchronous work. */
export async function withRunLockAsync<T>(dir: string, work: () => Promise<T>): Promise<T> {
  const release = lockRunDirectory(dir);
  try {
    return await work();
  } finally {
    release();
  }
}

/**
 * This thread works in `dir` under a lock its process's main thread holds (an evaluation worker
 * training a candidate of the search that holds the run directory): locks below it are not taken.
 */
export function workUnderCallersLock(dir: string): void {
  coveredByCaller.add(resolve(dir));
}

/** Whether a live process holds `dir` (for `groupnas validate` and the dashboard); its owner when known. */
export function runLockHolder(dir: string): { owner: LockOwner | undefined } | undefined {
  if (!existsSync(join(dir, LOCK_DIR))) return undefined;
  return liveOwner(resolve(dir));
}
