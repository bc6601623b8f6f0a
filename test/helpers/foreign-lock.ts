import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { LOCK_DIR, LOCK_OWNER_FILE, lockIdentity, type LockOwner } from '../../src/util/run-lock.js';

/** Leave `dir` locked as process `pid` of this host would have locked it (alive, or killed outright). */
export function lockAs(dir: string, pid: number): void {
  mkdirSync(join(dir, LOCK_DIR), { recursive: true });
  const owner: LockOwner = {
    pid,
    hostname: hostname(),
    command: 'groupnas test',
    since: new Date().toISOString(),
    lock: lockIdentity(statSync(join(dir, LOCK_DIR))),
  };
  writeFileSync(join(dir, LOCK_OWNER_FILE), JSON.stringify(owner));
}
