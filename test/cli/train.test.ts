import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lockRunDirectory, runLockHolder } from '../../src/util/run-lock.js';
import { PACKAGE_ROOT } from '../../src/util/version.js';
import { runCli } from './run-cli.js';

const tiny = [
  '--preset',
  'groupnet-k1',
  '--width-mult',
  '0.125',
  '--epochs',
  '2',
  '--limit',
  '256',
  '--test-limit',
  '128',
  '--batch',
  '32',
  '--checkpoint-every',
  '1',
  '--seed',
  '5',
];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('groupnas train', () => {
  it('prints a test accuracy, and a run killed with SIGKILL mid-epoch resumes to the same result', async () => {
    const whole = join(mkdtempSync(join(tmpdir(), 'gn-cli-train-')), 'run');
    const full = runCli(['train', ...tiny, '--out', whole, '--json']);
    expect(full.status).toBe(0);
    const expected = JSON.parse(full.stdout) as { testAccuracy: number };
    expect(expected.testAccuracy).toBeGreaterThan(0);

    runCli(['--version']); // makes sure dist is built before timing the kill
    const broken = join(mkdtempSync(join(tmpdir(), 'gn-cli-train-')), 'run');
    const child = spawn(process.execPath, [join(PACKAGE_ROOT, 'bin', 'groupnas.js'), 'train', ...tiny, '--out', broken], { stdio: 'ignore' });
    const checkpoint = join(broken, 'checkpoint.gnck');
    for (let i = 0; i < 600 && !existsSync(checkpoint); i++) await sleep(50);
    expect(existsSync(checkpoint)).toBe(true);
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    expect(existsSync(join(broken, 'result.json'))).toBe(false);

    const resumed = runCli(['train', '--resume', broken, '--json']);
    expect(resumed.status).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ testAccuracy: expected.testAccuracy });
    const losses = (dir: string) =>
      (JSON.parse(readFileSync(join(dir, 'history.json'), 'utf8')) as { trainLoss: number; testAccuracy: number }[]).map((e) => [e.trainLoss, e.testAccuracy]);
    expect(losses(broken)).toEqual(losses(whole));
  });

  // Training holds the event loop; a JavaScript signal handler (one releasing locks, say) would run only
  // when it ends, so Ctrl-C and SIGTERM would wait for the whole run.
  it.each(['SIGINT', 'SIGTERM'] as const)('%s stops a run at once, and the next run takes its lock over', async (signal) => {
    runCli(['--version']); // makes sure dist is built before timing the signal
    const dir = join(mkdtempSync(join(tmpdir(), 'gn-cli-train-')), 'run');
    const long = tiny.map((a, i) => (tiny[i - 1] === '--epochs' ? '500' : a));
    const child = spawn(process.execPath, [join(PACKAGE_ROOT, 'bin', 'groupnas.js'), 'train', ...long, '--out', dir], { stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((r) => child.on('exit', (_code, sig) => r(sig)));
    const checkpoint = join(dir, 'checkpoint.gnck');
    for (let i = 0; i < 600 && !existsSync(checkpoint); i++) await sleep(50);
    expect(existsSync(checkpoint)).toBe(true);
    const sent = performance.now();
    child.kill(signal);
    const stoppedBy = await Promise.race([exited, sleep(15_000).then(() => 'still running')]);
    if (stoppedBy === 'still running') child.kill('SIGKILL');
    expect(stoppedBy).toBe(signal);
    expect(performance.now() - sent).toBeLessThan(15_000);
    expect(existsSync(join(dir, 'result.json'))).toBe(false);
    expect(runLockHolder(dir)).toBeUndefined(); // its pid is gone: stale
    lockRunDirectory(dir)();
  });

  it('refuses an unknown preset and an arch file that does not fit, naming the field', () => {
    const r = runCli(['train', '--preset', 'groupnet-k7']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown preset "groupnet-k7"/);
    const missing = runCli(['train', '--arch', '/nonexistent/arch.json']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('/nonexistent/arch.json');
  });
});
