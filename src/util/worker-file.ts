/**
 * Where a worker thread's entry lives. Worker threads run plain JavaScript, so the entry is always
 * the built file under `dist/`: from the installed package it is the file beside its caller; from
 * TypeScript sources (vitest runs src/ through its own transformer, which a worker thread does not
 * inherit) it is the same path — tests call `ensureBuilt()` first, which rebuilds dist/ when src/
 * is newer, so both sides run the same code. A loader hook that compiles TypeScript inside each
 * worker would avoid the build but would make the workers' behaviour depend on a dev-only
 * transformer; the built file is what users run.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { NotAvailableError } from './errors.js';
import { PACKAGE_ROOT } from './version.js';

/** The built `dist/<entry>` (e.g. `search/evaluate/evaluate-worker.js`), or an error naming `what` is missing. */
export function builtWorkerFile(entry: string, what: string): string {
  const file = join(PACKAGE_ROOT, 'dist', entry);
  if (!existsSync(file)) throw new NotAvailableError(`${what} ${file} is missing; build the package first (npm run build)`);
  return file;
}

/**
 * Node options for a piscina worker: this process's, with require() of ES modules off where Node has it.
 * piscina loads its worker file with require() and imports it only if that throws; since Node 20.17
 * require() loads an ES module itself, and on a module graph with top-level await (the evaluation
 * worker's) that path can end the whole process in a fatal V8 check ("IsGraphAsync must be used on an
 * instantiated module", seen in CI). Without it, require() throws at once and piscina imports the file.
 */
export function workerExecArgv(): string[] {
  return process.allowedNodeEnvironmentFlags.has('--experimental-require-module')
    ? [...process.execArgv, '--no-experimental-require-module']
    : process.execArgv;
}
