import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { archProblems } from '../../src/space/arch-validation.js';
import { runCli } from './run-cli.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'gn-search-cli-'));

describe('groupnas search', () => {
  it('--config configs/tiny.json: trains the teacher, searches, writes the run dir; --json keeps stdout clean', () => {
    const out = join(tmp(), 'run');
    const started = Date.now();
    const r = runCli(['search', '--config', 'configs/tiny.json', '--out', out, '--json', '--backend', 'wasm'], { timeoutMs: 120_000 });
    const seconds = (Date.now() - started) / 1000;
    expect(r.status, r.stderr).toBe(0);
    expect(seconds).toBeLessThan(120);
    const result = JSON.parse(r.stdout) as { dir: string; arch: unknown; candidates: { rank: number }[]; epochs: number };
    expect(result.dir).toBe(out);
    expect(archProblems(result.arch)).toEqual([]);
    expect(result.candidates.map((c) => c.rank)).toEqual([1, 2]);
    for (const f of ['arch.json', 'candidates.json', 'search.json', 'alpha.svg', 'teacher/result.json']) expect(existsSync(join(out, f)), f).toBe(true);
    expect(JSON.parse(readFileSync(join(out, 'search.json'), 'utf8')).teacher).toBe(join(out, 'teacher'));
  });

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
  });
});
