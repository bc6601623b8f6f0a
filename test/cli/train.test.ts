import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

  it('refuses an unknown preset and an arch file that does not fit, naming the field', () => {
    const r = runCli(['train', '--preset', 'groupnet-k7']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown preset "groupnet-k7"/);
    const missing = runCli(['train', '--arch', '/nonexistent/arch.json']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('/nonexistent/arch.json');
  });
});
