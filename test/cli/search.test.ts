import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readEvaluation } from '../../src/search/evaluate/index.js';
import { loadArch } from '../../src/space/arch-file.js';
import { archProblems } from '../../src/space/arch-validation.js';
import { PACKAGE_ROOT } from '../../src/util/version.js';
import { ensureBuilt } from '../helpers/ensure-built.js';
import { runCli } from './run-cli.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'gn-search-cli-'));
const FAST = ['--set', 'evaluation.candidates=2', '--set', 'evaluation.epochs=1'];

interface JsonResult {
  dir: string;
  arch: unknown;
  candidates: { index: number; rank: number; name: string }[];
  epochs: number;
  evaluation: { chosen: number | null; candidates: { index: number; status: string; testAccuracy?: number; latencyMs?: number }[] } | null;
}

/** Run `groupnas <args>` in a child process and send it SIGINT once `ready()` holds. */
async function interruptWhen(args: string[], ready: () => boolean): Promise<{ code: number | null; stdout: string; stderr: string }> {
  ensureBuilt();
  const child = spawn(process.execPath, [join(PACKAGE_ROOT, 'bin', 'groupnas.js'), ...args], { cwd: PACKAGE_ROOT });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const poll = setInterval(() => {
    if (ready()) {
      clearInterval(poll);
      child.kill('SIGINT');
    }
  }, 100);
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  clearInterval(poll);
  return { code, stdout, stderr };
}

describe('groupnas search', () => {
  it('--config tiny (bundled, from any directory): teacher, supernet, evaluation of 2 candidates; run dir complete; --json on stdout, progress on stderr', () => {
    const out = join(tmp(), 'run');
    // The limits only guard against a hang: how fast it runs is a benchmark's business (bench), not this test's.
    const r = runCli(['search', '--config', 'tiny', ...FAST, '--out', out, '--json', '--backend', 'wasm', '--workers', '1'], {
      cwd: tmp(),
      timeoutMs: 600_000,
    });
    expect(r.status, r.stderr).toBe(0);
    // The pool started with the search and reports how many of its workers finished their warm-up
    // before the first candidate (on a loaded machine that may be none of them; it is a speed-up, not a result).
    expect(r.stderr).toMatch(/evaluation: [01] of 1 workers warmed up before the first candidate/);
    const result = JSON.parse(r.stdout) as JsonResult;
    expect(result.dir).toBe(out);
    expect(result.candidates.map((c) => c.rank)).toEqual([1, 2]);
    // One numbering: candidate N is `tiny/candidate-N` (0 = chosen) in the JSON, the progress lines and report.md.
    expect(result.candidates.map((c) => [c.index, c.name])).toEqual([
      [0, 'tiny/chosen'],
      [1, 'tiny/candidate-1'],
    ]);
    // Not a terminal: one progress line per finished task on stderr, --json or not.
    expect(r.stderr).toMatch(/^epoch 1\/\d+.*: done in [\d.]+s/m);
    expect(r.stderr).toMatch(/^candidate 0 train: done in [\d.]+s/m);
    expect(r.stderr).toMatch(/^candidate 1 train: done in [\d.]+s/m);
    for (const f of [
      'arch.json',
      'derived-arch.json',
      'model.gnb',
      'pareto.svg',
      'report.md',
      'evaluation/evaluation.json',
      'candidates.json',
      'search.json',
      'alpha.svg',
      'teacher/result.json',
    ]) {
      expect(existsSync(join(out, f)), f).toBe(true);
    }
    // Relative to the run directory, so a copied run uses its own teacher.
    expect(JSON.parse(readFileSync(join(out, 'search.json'), 'utf8')).teacher).toBe('teacher');
    const evaluation = result.evaluation!;
    expect(evaluation.candidates.map((c) => c.status)).toEqual(['done', 'done']);
    for (const c of evaluation.candidates) {
      expect(c.testAccuracy).toBeGreaterThan(0);
      expect(c.latencyMs).toBeGreaterThan(0);
    }
    const arch = loadArch(join(out, 'arch.json'));
    expect(archProblems(arch)).toEqual([]);
    expect(arch.metrics?.accuracy).toBe(evaluation.candidates[evaluation.chosen!]!.testAccuracy);
    // Candidates were distilled from the search's teacher.
    const record = readEvaluation(join(out, 'evaluation', 'evaluation.json'))!;
    expect(record.training.distillation?.teacher).toBe(join(out, 'teacher'));
    const report = readFileSync(join(out, 'report.md'), 'utf8');
    for (const c of record.candidates) expect(report).toContain(`| ${c.index} | ${c.arch.name} |`);
    expect(readFileSync(join(out, 'pareto.svg'), 'utf8').startsWith('<svg')).toBe(true);
  }, 600_000);

  it('--no-evaluate stops after the derivation', () => {
    const out = join(tmp(), 'run');
    const r = runCli(['search', '--config', 'configs/tiny.json', '--set', 'teacher.mode=none', '--out', out, '--no-evaluate', '--backend', 'wasm']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^candidate 0: p /m);
    expect(r.stdout).not.toMatch(/^candidate 2: p /m);
    expect(existsSync(join(out, 'arch.json'))).toBe(true);
    expect(existsSync(join(out, 'evaluation'))).toBe(false);
    expect(existsSync(join(out, 'report.md'))).toBe(false);
  });

  it('Ctrl-C during the evaluation exits 130 with a resumable run; --resume finishes it', async () => {
    const out = join(tmp(), 'run');
    const evaluationFile = join(out, 'evaluation', 'evaluation.json');
    // The second candidate trains for 3 epochs' worth of time at most; SIGINT lands once the first is done.
    const { code, stderr } = await interruptWhen(
      [
        'search',
        '--config',
        'configs/tiny.json',
        ...FAST,
        '--set',
        'teacher.mode=none',
        '--set',
        'evaluation.epochs=3',
        '--out',
        out,
        '--workers',
        '1',
        '--backend',
        'wasm',
      ],
      () => {
        const record = existsSync(evaluationFile) ? readEvaluation(evaluationFile) : undefined;
        return record?.candidates.some((c) => c.status === 'done') === true;
      },
    );
    expect(code, stderr).toBe(130);
    expect(stderr).toMatch(/--resume/);
    expect(existsSync(join(out, 'report.md'))).toBe(false);
    const partial = readEvaluation(evaluationFile)!;
    expect(partial.candidates.filter((c) => c.status === 'done')).toHaveLength(1);

    const r = runCli(['search', '--resume', out, '--json', '--backend', 'wasm', '--workers', '1']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/1 of 2 candidates already evaluated/);
    expect((JSON.parse(r.stdout) as JsonResult).evaluation!.candidates.map((c) => c.status)).toEqual(['done', 'done']);
    expect(existsSync(join(out, 'report.md'))).toBe(true);
  }, 300_000); // two search processes, each warming up a worker: ~2 min on a loaded 2-core machine

  it('Ctrl-C during the supernet stops it after the current step: exit 130, finished epochs kept, --resume named', async () => {
    const out = join(tmp(), 'run');
    const searchFile = join(out, 'search.json');
    const epochs = 40; // far more than run before the signal lands
    const { code, stdout, stderr } = await interruptWhen(
      ['search', '--config', 'configs/tiny.json', '--set', 'teacher.mode=none', '--set', `search.epochs=${epochs}`, '--out', out, '--backend', 'wasm'],
      () => existsSync(searchFile),
    );
    expect(code, stderr).toBe(130);
    expect(stderr).toMatch(/interrupted/);
    const log = JSON.parse(readFileSync(searchFile, 'utf8')) as { epochs: unknown[] };
    expect(log.epochs.length).toBeGreaterThanOrEqual(1);
    expect(log.epochs.length).toBeLessThan(epochs);
    expect(existsSync(join(out, 'candidates.json'))).toBe(false);
    expect(stdout).toMatch(`continue it with --resume ${out}`);
  }, 120_000);

  it('bad input is a one-line error naming the flag or field', () => {
    const bad = runCli(['search', '--config', 'configs/tiny.json', '--target-bops', '-5', '--out', join(tmp(), 'x')]);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/--target-bops: expected a number > 0/);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
    const both = runCli(['search', '--target-bops', '5', '--target-latency-ms', '1']);
    expect(both.stderr).toMatch(/give one target/);
    const set = runCli(['search', '--config', 'configs/tiny.json', '--set', 'search.epochs=-1', '--out', join(tmp(), 'y')]);
    expect(set.status).not.toBe(0);
    expect(set.stderr).toMatch(/search\.epochs/);
    const resume = runCli(['search', '--resume', tmp()]);
    expect(resume.stderr).toMatch(/not a search run directory/);
    const workers = runCli(['search', '--config', 'configs/tiny.json', '--workers', '0', '--out', join(tmp(), 'z')]);
    expect(workers.status).not.toBe(0);
    expect(workers.stderr).toMatch(/--workers: expected an integer ≥ 1, got 0/);
  });
});
