import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../src/util/version.js';
import { ensureBuilt } from '../helpers/ensure-built.js';

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Run the built `groupnas` binary as a user would. */
export function runCli(args: string[], opts: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {}): CliResult {
  ensureBuilt();
  const r = spawnSync(process.execPath, [join(PACKAGE_ROOT, 'bin', 'groupnas.js'), ...args], {
    cwd: opts.cwd ?? PACKAGE_ROOT,
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? 120_000,
    env: { ...process.env, ...opts.env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
