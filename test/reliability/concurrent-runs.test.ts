/**
 * One process at a time per run directory: a second `train --resume` or `search --resume` of a run
 * that a live process works on is refused at once, naming that process; after a kill -9 of the
 * first, the second takes the run over and finishes it. Exporting into a run directory waits for
 * no one either: it is refused while a job works there.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOCK_OWNER_FILE } from '../../src/util/run-lock.js';
import { PACKAGE_ROOT } from '../../src/util/version.js';
import { runCli } from '../cli/run-cli.js';
import { ensureBuilt } from '../helpers/ensure-built.js';
import { lockAs } from '../helpers/foreign-lock.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'gn-concurrent-'));

/** Resolves once `check` holds (polled), or rejects after `limitMs` — a hang guard, not a timing. */
async function until(check: () => boolean, limitMs = 300_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('the first process never got to work');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('two processes, one run directory', () => {
  it('train --resume beside a running train --resume is refused; after kill -9 of the first, it takes over and finishes', async () => {
    ensureBuilt();
    const run = join(tmp(), 'run');
    const start = runCli([
      'train',
      '--preset',
      'groupnet-k1',
      '--width-mult',
      '0.25',
      '--limit',
      '64',
      '--test-limit',
      '32',
      '--epochs',
      '1',
      '--out',
      run,
      '--backend',
      'wasm',
    ]);
    expect(start.status, start.stderr).toBe(0);
    // Turn it back into an unfinished run of more epochs: resume trains epochs 2.. from its checkpoint.
    const record = JSON.parse(readFileSync(join(run, 'run.json'), 'utf8'));
    record.options.epochs = 3;
    writeFileSync(join(run, 'run.json'), JSON.stringify(record));
    rmSync(join(run, 'result.json'));

    const first = spawn(process.execPath, [join(PACKAGE_ROOT, 'bin', 'groupnas.js'), 'train', '--resume', run, '--backend', 'wasm'], { stdio: 'ignore' });
    const exited = new Promise<void>((resolve) => first.on('exit', () => resolve()));
    await until(() => existsSync(join(run, LOCK_OWNER_FILE)));
    // Stopped, it holds the lock as long as the test needs, however fast or loaded the machine is.
    first.kill('SIGSTOP');
    const refused = runCli(['train', '--resume', run, '--backend', 'wasm']);
    expect(refused.status).toBe(2);
    expect(refused.stderr.trim().split('\n').at(-1)).toMatch(new RegExp(`^groupnas: ${run}: in use by process ${first.pid} on .*train --resume`));

    // Exporting into the run directory would write beside the running job: refused the same way.
    const exportInto = runCli(['export', '--run', run, '--out', join(run, 'model.gnb'), '--backend', 'wasm']);
    expect(exportInto.status).toBe(2);
    expect(exportInto.stderr).toContain(`in use by process ${first.pid}`);
    expect(existsSync(join(run, 'model.gnb'))).toBe(false);

    first.kill('SIGKILL');
    await exited;
    expect(existsSync(join(run, LOCK_OWNER_FILE))).toBe(true); // left behind by the kill
    const takenOver = runCli(['train', '--resume', run, '--backend', 'wasm'], { timeoutMs: 600_000 });
    expect(takenOver.status, takenOver.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(run, 'result.json'), 'utf8')).epochs).toHaveLength(3);
    expect(existsSync(join(run, LOCK_OWNER_FILE))).toBe(false);
    expect(runCli(['export', '--run', run, '--out', join(run, 'model.gnb'), '--backend', 'wasm']).status).toBe(0);
  }, 600_000);

  it('search --resume of a run a live process holds is refused, naming it; one a killed process held resumes', () => {
    const run = join(tmp(), 'run');
    const derived = runCli(['search', '--config', 'tiny', '--set', 'teacher.mode=none', '--no-evaluate', '--out', run, '--backend', 'wasm']);
    expect(derived.status, derived.stderr).toBe(0);
    const holder = spawn('sleep', ['600']);
    try {
      lockAs(run, holder.pid!);
      const refused = runCli(['search', '--resume', run, '--no-evaluate', '--backend', 'wasm']);
      expect(refused.status).toBe(2);
      expect(refused.stderr.trim().split('\n').at(-1)).toMatch(new RegExp(`^groupnas: ${run}: in use by process ${holder.pid} `));
      // A new search into it is refused the same way (not with "already holds a search": the lock comes first).
      expect(runCli(['search', '--config', 'tiny', '--out', run, '--backend', 'wasm']).stderr).toContain(`in use by process ${holder.pid}`);
    } finally {
      holder.kill('SIGKILL');
    }
    lockAs(run, spawnSync(process.execPath, ['-e', '']).pid!);
    const resumed = runCli(['search', '--resume', run, '--no-evaluate', '--backend', 'wasm']);
    expect(resumed.status, resumed.stderr).toBe(0);
  });
});
