import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { selectBackend } from '../../src/backend/select.js';
import { rowTrainingOptions, type ReproduceBudget } from '../../src/reproduce/budget.js';
import { reproduceTable, type ReproduceOptions } from '../../src/reproduce/reproduce-table.js';
import { buildPreset } from '../../src/space/presets.js';
import { readRunRecord } from '../../src/train/run-directory.js';
import { trainArch } from '../../src/train/training-run.js';
import { lockAs } from '../helpers/foreign-lock.js';
import { tinyTraining } from '../helpers/tiny-training.js';
import { Killed, killAfter } from '../train/helpers/interrupt.js';
import { TWO_PRESET_TABLE } from './two-preset-table.js';

beforeAll(async () => {
  await selectBackend('wasm');
});

const table = TWO_PRESET_TABLE;
const { seed: _seed, checkpointEverySteps: _every, ...training } = tinyTraining({ limit: 96 });
const budget: ReproduceBudget = { backbone: 'resnet-r', widthMultiplier: 0.125, training };
const tmp = () => join(mkdtempSync(join(tmpdir(), 'gn-reproduce-')), 'out');
const options = (out: string, extra: Partial<ReproduceOptions> = {}): ReproduceOptions => ({
  table,
  budget,
  seeds: [0],
  out,
  checkpointEverySteps: 1,
  ...extra,
});

describe('reproduceTable', () => {
  it('a reproduction killed inside a row resumes that row on the next call, to the result of an uninterrupted run', () => {
    const out = tmp();
    // fp's bar reports 1 + 3 updates; the 3rd update of groupnet-k1 (its 2nd step) is the kill
    expect(() => reproduceTable(options(out, { progress: killAfter(4 + 3) }))).toThrow(Killed);
    expect(existsSync(join(out, 'fp-seed0', 'result.json'))).toBe(true);
    expect(existsSync(join(out, 'groupnet-k1-seed0', 'run.json'))).toBe(true);
    expect(existsSync(join(out, 'groupnet-k1-seed0', 'result.json'))).toBe(false);
    expect(existsSync(join(out, '.lock'))).toBe(false);

    const second = reproduceTable(options(out));
    expect(second.rows.map((r) => r.action)).toEqual(['finished earlier', 'resumed']);

    const whole = trainArch(buildPreset('groupnet-k1', { widthMultiplier: 0.125 }), rowTrainingOptions(budget, 'groupnet-k1', 0, 1), tmp());
    const k1 = second.results.rows.find((r) => r.preset === 'groupnet-k1')!;
    expect(k1.runs[0]!.testAccuracy).toBe(whole.final.accuracy * 100);
    expect(second.results.complete).toBe(true);
    expect(second.results.orderings[0]!.status).not.toBe('incomplete');
    expect(JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'))).toEqual(JSON.parse(JSON.stringify(second.results)));

    const third = reproduceTable(options(out, { seeds: [0, 1], table: { ...table, rows: [table.rows[0]!] } }));
    expect(third.rows.map((r) => `${r.preset}-${r.seed}:${r.action}`)).toEqual(['fp-0:finished earlier', 'fp-1:trained']);
  });

  it('refuses a directory trained with another budget, naming the fields and the rows', () => {
    const out = tmp();
    reproduceTable(options(out, { table: { ...table, rows: [table.rows[0]!] } }));
    expect(() => reproduceTable(options(out, { budget: { ...budget, training: { ...training, epochs: 2 } } }))).toThrow(
      /reproduce\.json: --out holds rows trained with another budget \(training\.epochs: 1 in --out, 2 asked\); rows: fp-seed0\./,
    );
    // a row placed there by hand (no manifest says otherwise) is checked against its own run.json
    const hand = tmp();
    trainArch(
      buildPreset('groupnet-k1', { widthMultiplier: 0.25 }),
      rowTrainingOptions({ ...budget, training: { ...training, learningRate: 0.1 } }, 'groupnet-k1', 0, 0),
      join(hand, 'groupnet-k1-seed0'),
    );
    expect(() => reproduceTable(options(hand))).toThrow(
      /holds rows trained with another budget: groupnet-k1-seed0 \(learningRate: 0\.1 in --out, 0\.002 asked; arch widths: \[8,16,32\] in --out, \[4,8,16\] asked\)/,
    );
    expect(existsSync(join(hand, 'reproduce.json'))).toBe(false);
  });

  it('refuses a directory another live process is training in, and takes over a lock its dead owner left', () => {
    const out = tmp();
    reproduceTable(options(out, { table: { ...table, rows: [table.rows[0]!] } }));
    lockAs(out, process.ppid);
    expect(() => reproduceTable(options(out, { table: { ...table, rows: [table.rows[0]!] } }))).toThrow(`in use by process ${process.ppid}`);
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    lockAs(out, dead);
    expect(reproduceTable(options(out, { table: { ...table, rows: [table.rows[0]!] } })).rows[0]!.action).toBe('finished earlier');
    expect(existsSync(join(out, '.lock'))).toBe(false);
  });

  it('with a teacher, distils every row but the full-precision twin, the teacher named by its absolute path', () => {
    const teacher = tmp();
    trainArch(buildPreset('fp', { widthMultiplier: 0.125 }), tinyTraining({ limit: 32 }), teacher);
    const out = tmp();
    const distillation = { teacher: relative(process.cwd(), teacher), kd: 1, at: 10, temperature: 4, labelWeight: 1 };
    reproduceTable(options(out, { budget: { ...budget, training: { ...training, distillation } } }));
    expect(readRunRecord(join(out, 'fp-seed0')).options.distillation).toBeUndefined();
    expect(readRunRecord(join(out, 'groupnet-k1-seed0')).options.distillation).toEqual({ ...distillation, teacher });
  });

  it('--presets trains only the named rows; the orderings they cannot decide stay incomplete', () => {
    const out = tmp();
    const outcome = reproduceTable(options(out, { presets: ['groupnet-k1'] }));
    expect(outcome.rows.map((r) => r.preset)).toEqual(['groupnet-k1']);
    expect(existsSync(join(out, 'fp-seed0'))).toBe(false);
    expect(outcome.results.orderings[0]!.status).toBe('incomplete');
    expect(() => reproduceTable(options(tmp(), { presets: ['groupnet-k5'] }))).toThrow(
      '--presets: groupnet-k5 is not in table tiny (its presets: fp, groupnet-k1)',
    );
    expect(() => reproduceTable(options(tmp(), { presets: [] }))).toThrow('--presets: name at least one of fp, groupnet-k1');
  });

  it('refuses bad seeds before writing anything', () => {
    const out = tmp();
    expect(() => reproduceTable(options(out, { seeds: [] }))).toThrow('--seeds: name at least one seed');
    expect(() => reproduceTable(options(out, { seeds: [0, 0] }))).toThrow('names a seed twice');
    expect(() => reproduceTable(options(out, { seeds: [-1] }))).toThrow('non-negative integers, got -1');
    expect(existsSync(out)).toBe(false);
  });
});
