import { cpSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backend/select.js';
import { buildPreset } from '../../src/space/presets.js';
import { resumeTraining, trainArch } from '../../src/train/training-run.js';
import { TRAIN_RESUME, validateTrainingRun } from '../../src/train/validate-training-run.js';
import { tinyTraining } from '../helpers/tiny-training.js';
import { Killed, killAfter } from './helpers/interrupt.js';

const root = mkdtempSync(join(tmpdir(), 'gn-validate-train-'));
const finished = join(root, 'finished');

/** A copy of the finished run, changed by `damage`. */
function copy(name: string, damage: (dir: string) => void): string {
  const dir = join(root, name);
  cpSync(finished, dir, { recursive: true });
  damage(dir);
  return dir;
}

const stateOf = (dir: string) => Object.fromEntries(validateTrainingRun(dir).map((c) => [c.file, c.state]));

beforeAll(async () => {
  await selectBackend('wasm');
  trainArch(buildPreset('groupnet-k1', { widthMultiplier: 0.125 }), tinyTraining({ checkpointEverySteps: 1 }), finished);
});

describe('validateTrainingRun', () => {
  it('a finished run: every file ok', () => {
    expect(validateTrainingRun(finished)).toEqual(['run.json', 'checkpoint.gnck', 'history.json', 'result.json'].map((file) => ({ file, state: 'ok' })));
  });

  it('a run killed within its first epoch: the history and the result are not written yet, nothing is missing', () => {
    const dir = join(root, 'killed');
    expect(() => trainArch(buildPreset('groupnet-k1', { widthMultiplier: 0.125 }), tinyTraining({ checkpointEverySteps: 1 }), dir, killAfter(3))).toThrow(
      Killed,
    );
    expect(stateOf(dir)).toEqual({ 'run.json': 'ok', 'checkpoint.gnck': 'ok', 'history.json': 'absent', 'result.json': 'absent' });
  });

  it('names each damaged file with the reader’s words and what train --resume does with it', () => {
    const dir = copy('damaged', (d) => {
      writeFileSync(join(d, 'run.json'), '{}');
      truncateSync(join(d, 'checkpoint.gnck'), 50);
      writeFileSync(join(d, 'history.json'), '[1]');
      writeFileSync(join(d, 'result.json'), JSON.stringify({ testAccuracy: 'high', testLoss: 1, testImages: 64, epochs: [] }));
    });
    const [record, checkpoint, history, result] = validateTrainingRun(dir);
    expect(record).toEqual({
      file: 'run.json',
      state: 'damaged',
      problem: expect.stringMatching(
        new RegExp(`^${join(dir, 'run.json')}: format: required field is missing; version: required field is missing; .* \\(and \\d+ more\\)$`),
      ),
      resume: TRAIN_RESUME('record', 'damaged', true),
    });
    expect(record!.resume).toMatch(/^refuses/);
    expect(checkpoint).toMatchObject({
      state: 'damaged',
      problem: `${join(dir, 'checkpoint.gnck')}: checksum: sha256 does not match: the file is corrupted or truncated`,
    });
    expect(checkpoint!.resume).toMatch(/^refuses with this error; delete the file/);
    expect(history).toMatchObject({
      state: 'damaged',
      problem: `${join(dir, 'history.json')}: [0]: expected object, got 1`,
      resume: expect.stringMatching(/^not read/),
    });
    expect(result).toMatchObject({ state: 'damaged', problem: `${join(dir, 'result.json')}: testAccuracy: expected number, got "high"` });
  });

  it('a damaged result.json: train --resume tests the checkpoint again and rewrites it, as validate says', () => {
    const dir = copy('result', (d) => writeFileSync(join(d, 'result.json'), '{}'));
    expect(validateTrainingRun(dir)[3]).toMatchObject({ state: 'damaged', resume: 'testing the last checkpoint again and rewriting it' });
    resumeTraining(dir);
    expect(stateOf(dir)['result.json']).toBe('ok');
  });

  it('a finished run without its checkpoint: missing, and train --resume trains it again from the first epoch', () => {
    const dir = copy('no-checkpoint', (d) => rmSync(join(d, 'checkpoint.gnck')));
    expect(validateTrainingRun(dir)[1]).toEqual({ file: 'checkpoint.gnck', state: 'missing', resume: 'training the run again from its first epoch' });
  });

  it('paths carry the prefix of the run inside the directory validated, and the caller says what its resume does', () => {
    const dir = copy('inside', (d) => writeFileSync(join(d, 'history.json'), '{'));
    const checks = validateTrainingRun(dir, (file, state) => `${file} ${state}`, join('teacher'));
    expect(checks.map((c) => c.file)).toEqual(['teacher/run.json', 'teacher/checkpoint.gnck', 'teacher/history.json', 'teacher/result.json']);
    expect(checks[2]).toMatchObject({ state: 'damaged', problem: `${join(dir, 'history.json')}: is not valid JSON`, resume: 'history damaged' });
  });
});
