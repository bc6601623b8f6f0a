import { spawn } from 'node:child_process';
import { cpus } from 'node:os';
import { describe, expect, it } from 'vitest';
import { watchMachineLoad } from '../../src/util/machine-load.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('watchMachineLoad', () => {
  it.skipIf(cpus().length < 2)('sees another process keeping a core busy while this one sleeps', async () => {
    // It says when it spins (its start takes a while on a busy machine), and spins until killed (30 s at most).
    const spinner = spawn(process.execPath, ['-e', 'process.stdout.write("spinning\\n"); const end = Date.now() + 30_000; while (Date.now() < end);'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    try {
      await new Promise((resolve, reject) => {
        spinner.stdout.once('data', resolve);
        spinner.once('exit', () => reject(new Error('the spinner exited before it spun')));
      });
      const load = watchMachineLoad();
      await sleep(500);
      // One spinning process is one whole core of the others' (cores − 1); other tests running beside only add to it.
      expect(load()).toBeGreaterThan(0.5 / (cpus().length - 1));
    } finally {
      spinner.kill();
    }
  });

  it('is a share from 0 to 1', () => {
    const load = watchMachineLoad();
    let x = 0;
    for (let i = 0; i < 1e6; i++) x += Math.sqrt(i);
    expect(x).toBeGreaterThan(0);
    const share = load();
    expect(share).toBeGreaterThanOrEqual(0);
    expect(share).toBeLessThanOrEqual(1);
  });
});
