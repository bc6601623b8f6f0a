import { cpSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backend/select.js';
import type { ReproduceBudget } from '../../src/reproduce/budget.js';
import { reproduceTable, type ReproduceOptions } from '../../src/reproduce/reproduce-table.js';
import { isReproduceDirectory, validateReproduceDirectory } from '../../src/reproduce/validate-reproduce-directory.js';
import { tinyTraining } from '../helpers/tiny-training.js';
import { TWO_PRESET_TABLE } from './two-preset-table.js';

const { seed: _seed, checkpointEverySteps: _every, ...training } = tinyTraining();
const budget: ReproduceBudget = { backbone: 'resnet-r', widthMultiplier: 0.125, training };
const root = mkdtempSync(join(tmpdir(), 'gn-validate-reproduce-'));
const out = join(root, 'out');
const options: ReproduceOptions = { table: TWO_PRESET_TABLE, budget, seeds: [0], out };

const copy = (name: string, damage: (dir: string) => void) => {
  const dir = join(root, name);
  cpSync(out, dir, { recursive: true });
  damage(dir);
  return dir;
};
const unsound = (dir: string) => validateReproduceDirectory(dir).files.filter((f) => f.state !== 'ok' && f.state !== 'absent');

beforeAll(async () => {
  await selectBackend('wasm');
  reproduceTable(options);
});

describe('validateReproduceDirectory', () => {
  it('a finished reproduction: reproduce.json and every row’s run ok', () => {
    expect(isReproduceDirectory(out)).toBe(true);
    expect(isReproduceDirectory(root)).toBe(false);
    const report = validateReproduceDirectory(out);
    expect(report).toMatchObject({ kind: 'reproduce', valid: true });
    expect(report.files.map((f) => f.file)).toEqual([
      'reproduce.json',
      ...['fp-seed0', 'groupnet-k1-seed0'].flatMap((row) => ['run.json', 'checkpoint.gnck', 'history.json', 'result.json'].map((f) => `${row}/${f}`)),
    ]);
  });

  it('each damage with what the same command does: a damaged result.json is refused when it writes results.json, as validate says', () => {
    const dir = copy('damaged', (d) => {
      writeFileSync(join(d, 'reproduce.json'), '{"format": "groupnas.reproduce", "version": 2}');
      truncateSync(join(d, 'fp-seed0', 'checkpoint.gnck'), 20);
      writeFileSync(join(d, 'groupnet-k1-seed0', 'result.json'), '{}');
    });
    expect(unsound(dir)).toEqual([
      {
        file: 'reproduce.json',
        state: 'damaged',
        problem: expect.stringMatching(/reproduce\.json: version: expected 1, found 2/),
        resume: 'refuses with this error',
      },
      {
        file: 'fp-seed0/checkpoint.gnck',
        state: 'damaged',
        problem: expect.stringMatching(/checkpoint\.gnck: file: truncated: 20 bytes/),
        resume: 'not read (the row is finished and kept)',
      },
      {
        file: 'groupnet-k1-seed0/result.json',
        state: 'damaged',
        problem: expect.stringMatching(/testAccuracy: required field is missing/),
        resume: 'refuses with this error when it writes results.json, which reads it',
      },
    ]);
    rmSync(join(dir, 'reproduce.json'));
    expect(unsound(dir)[0]).toMatchObject({ file: 'reproduce.json', state: 'missing', resume: expect.stringMatching(/^written again/) });
    expect(() => reproduceTable({ ...options, out: dir })).toThrow(/groupnet-k1-seed0\/result\.json: testAccuracy: required field is missing/);
  });
});
