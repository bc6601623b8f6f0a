// The Node options piscina's workers start with: require() of an ES module throws there (so piscina
// imports its worker file), where this Node would otherwise load it through require().
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { workerExecArgv } from '../../src/util/worker-file.js';

const dir = mkdtempSync(join(tmpdir(), 'gn-worker-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What require() of an ES module with top-level await does in a worker started with `execArgv`: its error code, or 'loaded'. */
async function requireEsmIn(execArgv: string[]): Promise<string> {
  const file = join(dir, 'top-level-await.mjs');
  writeFileSync(file, 'export const value = await Promise.resolve(1);\n');
  const worker = new Worker(
    `const { parentPort } = require('node:worker_threads');
    try { require(${JSON.stringify(file)}); parentPort.postMessage('loaded'); } catch (e) { parentPort.postMessage(e.code); }`,
    { eval: true, execArgv },
  );
  const [outcome] = (await Promise.all([
    new Promise((resolve) => worker.once('message', resolve)),
    new Promise((resolve) => worker.once('exit', resolve)),
  ])) as [string, unknown];
  return outcome;
}

describe('workerExecArgv', () => {
  it('keeps this process’s options and, where Node loads ES modules through require(), turns that off', () => {
    const argv = workerExecArgv();
    expect(argv.slice(0, process.execArgv.length)).toEqual(process.execArgv);
    const hasRequireEsm = process.allowedNodeEnvironmentFlags.has('--experimental-require-module');
    expect(argv.includes('--no-experimental-require-module')).toBe(hasRequireEsm);
  });

  it('in a worker started with it, require() of an ES module throws ERR_REQUIRE_ESM at once', async () => {
    expect(await requireEsmIn(workerExecArgv())).toBe('ERR_REQUIRE_ESM');
  });
});
