import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '../helpers/tfjs.js';
import { selectBackend } from '../../src/backend/select.js';
import { buildPreset } from '../../src/space/presets.js';
import type { TrainingOptions } from '../../src/train/training-options.js';
import { evaluateRun, resumeTraining, trainArch } from '../../src/train/training-run.js';
import { tinyTraining } from '../helpers/tiny-training.js';
import { Killed, killAfter, runWeights } from './helpers/interrupt.js';

beforeAll(async () => {
  await selectBackend('wasm');
});

const arch = () => buildPreset('groupnet-k1', { widthMultiplier: 0.125 });
const options: TrainingOptions = tinyTraining({ epochs: 2, limit: 96, weightDecay: 1e-4, augment: true, seed: 3, checkpointEverySteps: 1 });
const tmp = () => mkdtempSync(join(tmpdir(), 'gn-train-'));

describe('trainArch / resumeTraining', () => {
  it('a run killed mid-epoch and resumed ends with exactly the weights of an uninterrupted run', () => {
    const whole = tmp();
    const full = trainArch(arch(), options, whole);
    expect(full.history).toHaveLength(2);

    const broken = tmp();
    expect(() => trainArch(arch(), options, broken, killAfter(3))).toThrow(Killed); // dies in epoch 1, step 2
    expect(existsSync(join(broken, 'result.json'))).toBe(false);
    const resumed = resumeTraining(broken);

    expect(resumed.final.accuracy).toBe(full.final.accuracy);
    expect(resumed.history.map((e) => e.trainLoss)).toEqual(full.history.map((e) => e.trainLoss));
    expect(runWeights(broken)).toEqual(runWeights(whole));
    // atomic writes leave no temp files behind
    expect(readdirSync(broken).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('leaks no tensors across a whole run', () => {
    const before = tf.memory().numTensors;
    trainArch(arch(), { ...options, epochs: 1 }, tmp());
    // tfjs's own optimizers are not used; every tensor of the run must be gone
    expect(tf.memory().numTensors).toBe(before);
  });

  it('writes run.json, history.json and result.json, and eval reproduces the final accuracy', () => {
    const dir = tmp();
    const r = trainArch(arch(), { ...options, epochs: 1 }, dir);
    const result = JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')) as { testAccuracy: number };
    expect(result.testAccuracy).toBe(r.final.accuracy);
    expect(JSON.parse(readFileSync(join(dir, 'history.json'), 'utf8'))).toHaveLength(1);
    expect(evaluateRun(dir).accuracy).toBe(r.final.accuracy);
  });

  it('refuses to overwrite a run, and names what is wrong with a damaged one', () => {
    const dir = tmp();
    trainArch(arch(), { ...options, epochs: 1 }, dir);
    expect(() => trainArch(arch(), options, dir)).toThrow(/already holds a run; continue it with --resume/);
    const checkpoint = join(dir, 'checkpoint.gnck');
    const bytes = readFileSync(checkpoint);
    writeFileSync(checkpoint, bytes.subarray(0, bytes.length - 100));
    expect(() => resumeTraining(dir)).toThrow(/checkpoint\.gnck: checksum/);
    writeFileSync(join(dir, 'run.json'), '{"format":"groupnas.run","version":7}');
    expect(() => resumeTraining(dir)).toThrow(/run\.json: version: expected 1, found 7/);
    expect(() => resumeTraining(tmp())).toThrow(/not a groupnas run directory/);
  });

  it('rejects impossible options with the option named', () => {
    expect(() => trainArch(arch(), { ...options, epochs: 0 }, tmp())).toThrow(/--epochs: expected a positive integer, got 0/);
  });
});
