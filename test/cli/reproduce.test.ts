import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './run-cli.js';

const tinyBudget = (epochs: number) => [
  '--width-mult',
  '0.125',
  '--epochs',
  String(epochs),
  '--limit',
  '64',
  '--test-limit',
  '32',
  '--batch',
  '32',
  '--seeds',
  '0',
];
const tiny = tinyBudget(1);
const presets = ['fp', 'groupnet-k1', 'groupnet-k3', 'groupnet-k5'];

interface Printed {
  rows: { preset: string; action: string }[];
  results: {
    format: string;
    complete: boolean;
    rows: { preset: string; accuracy?: { mean: number }; supplement: { table: string; top1: number } }[];
    orderings: { claim: string; status: string }[];
  };
}

describe('groupnas reproduce', () => {
  it('trains a table end to end, writes results.json and results.md, and a second invocation keeps every finished row', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'gn-cli-reproduce-')), 'bases');
    const first = runCli(['reproduce', 'bases', ...tiny, '--out', out, '--json']);
    expect(first.status, first.stderr).toBe(0);
    const printed = JSON.parse(first.stdout) as Printed;
    expect(printed.rows.map((r) => `${r.preset}:${r.action}`)).toEqual(presets.map((p) => `${p}:trained`));
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Printed['results'];
    expect(results).toEqual(printed.results);
    expect(results).toMatchObject({ format: 'groupnas.reproduce-results', complete: true });
    for (const row of results.rows) expect(row.accuracy!.mean).toBeGreaterThanOrEqual(0);
    expect(results.rows.map((r) => `${r.preset} ${r.supplement.table} ${r.supplement.top1}`)).toEqual([
      'fp S2 69.7',
      'groupnet-k1 S2 56.4',
      'groupnet-k3 S2 62.5',
      'groupnet-k5 S2 64.8',
    ]);
    expect(results.orderings).toEqual([expect.objectContaining({ claim: 'K=1 < K=3 < K=5', status: expect.stringMatching(/^(holds|does not hold)$/) })]);
    expect(readFileSync(join(out, 'results.md'), 'utf8')).toContain('| groupnet-k5 |');

    const checkpoints = () => presets.map((p) => statSync(join(out, `${p}-seed0`, 'checkpoint.gnck')).mtimeMs);
    const before = checkpoints();
    const again = runCli(['reproduce', 'bases', ...tiny, '--out', out]);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toContain('row 4/4 groupnet-k5-seed0: finished earlier, kept');
    expect(again.stderr).not.toContain(': training');
    expect(checkpoints()).toEqual(before);
    expect(again.stdout).toContain('| ordering | supplement | here | verdict |');

    const other = runCli(['reproduce', 'bases', ...tinyBudget(2), '--out', out]);
    expect(other.status).toBe(2);
    expect(other.stderr).toContain('--out holds rows trained with another budget (training.epochs: 1 in --out, 2 asked); rows: fp-seed0, groupnet-k1-seed0');
  });

  it('explains itself and refuses an unknown table or malformed seeds', () => {
    const help = runCli(['reproduce', '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('decompositions: groupnet-k5, gbd-v1-k5, gbd-v2-k5, gbd-v3-k5, lbd-k5');
    expect(help.stdout).toContain('Rerunning the same command keeps finished rows');
    const table = runCli(['reproduce', 'widths']);
    expect(table.status).toBe(2);
    expect(table.stderr).toMatch(/table.*"widths".*bases.*decompositions.*bits/s);
    const twice = runCli(['reproduce', 'bits', '--epochs', '1', '--epochs', '2']);
    expect(twice.status).toBe(2);
    expect(twice.stderr).toContain('--epochs: expected one positive integer, got [1,2]');
    const seeds = runCli(['reproduce', 'bits', '--seeds', '0,one']);
    expect(seeds.status).toBe(2);
    expect(seeds.stderr).toContain('--seeds: expected comma-separated non-negative integers');
  });
});
