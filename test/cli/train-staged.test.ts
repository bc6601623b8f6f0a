import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './run-cli.js';

const tiny = [
  '--preset',
  'groupnet-k1',
  '--width-mult',
  '0.125',
  '--epochs',
  '2',
  '--limit',
  '64',
  '--test-limit',
  '64',
  '--batch',
  '32',
  '--checkpoint-every',
  '0',
];
const outDir = () => join(mkdtempSync(join(tmpdir(), 'gn-cli-staged-')), 'run');

describe('groupnas train --staged', () => {
  it('trains stage 1 with real weights and stage 2 binary, says which per epoch, and records the stages', () => {
    const dir = outDir();
    const r = runCli(['train', ...tiny, '--staged', '1', '--out', dir]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/epoch 1: .*\[real weights\]\nepoch 2: .*\[binary weights\]/);
    const record = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as { stages: { weights: string; epochs: number }[] };
    expect(record.stages).toEqual([expect.objectContaining({ weights: 'real', epochs: 1 }), expect.objectContaining({ weights: 'binary', epochs: 1 })]);
  });

  it('refuses a stage 1 as long as the run, before training anything', () => {
    const r = runCli(['train', ...tiny, '--staged', '2', '--out', outDir()]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--staged: expected an integer from 1 to epochs − 1 = 1/);
  });
});
