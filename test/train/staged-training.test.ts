import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '../helpers/tfjs.js';
import { selectBackend } from '../../src/backend/select.js';
import { buildModel } from '../../src/nn/index.js';
import { buildPreset } from '../../src/space/presets.js';
import { checkStaging, continueWithWeights, stageAt, trainingStages } from '../../src/train/staged-training.js';
import type { RunRecord } from '../../src/train/run-directory.js';
import type { TrainingOptions } from '../../src/train/training-options.js';
import { loadRunModel } from '../../src/train/run-model.js';
import { evaluateRun, resumeTraining, trainArch } from '../../src/train/training-run.js';
import { tinyTraining } from '../helpers/tiny-training.js';
import { Killed, killAfter, runWeights } from './helpers/interrupt.js';

beforeAll(async () => {
  await selectBackend('wasm');
});

const student = () => buildPreset('groupnet-k1', { widthMultiplier: 0.125 });
const tmp = () => join(mkdtempSync(join(tmpdir(), 'gn-staged-')), 'run');

describe('training stages', () => {
  it('split the epochs: E1 real-weight epochs, then the rest binary; unstaged is one binary stage', () => {
    expect(trainingStages(5, undefined)).toEqual([{ stage: 1, weights: 'binary', firstEpoch: 0, epochs: 5 }]);
    const stages = trainingStages(5, 2);
    expect(stages.map((s) => [s.weights, s.firstEpoch, s.epochs])).toEqual([
      ['real', 0, 2],
      ['binary', 2, 3],
    ]);
    expect([0, 1, 2, 4, 5].map((e) => stageAt(stages, e).stage)).toEqual([1, 1, 2, 2, 2]);
  });

  it('refuse an E1 outside 1..epochs−1 and a network with no binary units, naming --staged', () => {
    expect(() => checkStaging(student(), 3, 3)).toThrow(/--staged: expected an integer from 1 to epochs − 1 = 2 .*got 3/);
    expect(() => checkStaging(student(), 3, 0)).toThrow(/--staged: .*got 0/);
    expect(() => checkStaging(buildPreset('fp', { widthMultiplier: 0.125 }), 3, 1)).toThrow(/--staged: the architecture .*has no binary units/);
    expect(() => checkStaging(student(), 3, 2)).not.toThrow();
  });

  it('stage 2 starts from every stage-1 variable exactly, with binary weights', () => {
    const real = buildModel(student(), { seed: 1, weights: 'real' });
    // move the weights away from their initial values, so a fresh seeded init could not pass for a copy
    for (const p of real.params.list()) p.variable.assign(tf.tidy(() => tf.add(p.variable, tf.randomNormal(p.variable.shape, 0, 0.1, 'float32', 7))));
    const binary = continueWithWeights(real, 'binary', 1);
    expect(binary.weights).toBe('binary');
    const before = Object.fromEntries(Object.entries(real.stateDict()).map(([n, t]) => [n, Array.from(t.dataSync())]));
    const after = Object.fromEntries(Object.entries(binary.stateDict()).map(([n, t]) => [n, Array.from(t.dataSync())]));
    expect(after).toEqual(before);
    const x = tf.randomNormal([2, 28, 28, 1], 0, 1, 'float32', 3) as tf.Tensor4D;
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(real.forward(x, false), binary.forward(x, false)))).dataSync()[0]!);
    expect(diff).toBeGreaterThan(1e-3);
    x.dispose();
    real.dispose();
    binary.dispose();
  });
});

describe('a staged training run (stage 1 real weights, stage 2 binary), distilled from a teacher', () => {
  let options: TrainingOptions;
  let whole: string;
  let wholeResult: ReturnType<typeof trainArch>;
  beforeAll(() => {
    const teacher = tmp();
    trainArch(buildPreset('fp', { widthMultiplier: 0.125 }), tinyTraining({ limit: 32 }), teacher);
    // 3 steps per epoch, a checkpoint after every step; epoch 1 is stage 1, epoch 2 stage 2
    options = tinyTraining({
      epochs: 2,
      limit: 96,
      checkpointEverySteps: 1,
      seed: 4,
      realWeightEpochs: 1,
      distillation: { teacher, kd: 1, at: 10, temperature: 4, labelWeight: 1 },
    });
    whole = tmp();
    wholeResult = trainArch(student(), options, whole);
  });

  it('records its stages in run.json and the weights of every epoch in its history', () => {
    const record = JSON.parse(readFileSync(join(whole, 'run.json'), 'utf8')) as RunRecord;
    expect(record.stages?.map((s) => s.weights)).toEqual(['real', 'binary']);
    expect(record.options.realWeightEpochs).toBe(1);
    expect(wholeResult.history.map((e) => e.weights)).toEqual(['real', 'binary']);
  });

  // progress updates: 1 at the start, one per step, one per epoch end → 3 = stage 1 mid-epoch,
  // 5 = just after the switch (its checkpoint written), 7 = stage 2 mid-epoch
  it.each([3, 5, 7])('killed at progress update %i and resumed, ends with exactly the uninterrupted weights', (update) => {
    const broken = tmp();
    expect(() => trainArch(student(), options, broken, killAfter(update))).toThrow(Killed);
    const resumed = resumeTraining(broken);
    expect(resumed.history.map((e) => e.trainLoss)).toEqual(wholeResult.history.map((e) => e.trainLoss));
    expect(resumed.final.accuracy).toBe(wholeResult.final.accuracy);
    expect(runWeights(broken)).toEqual(runWeights(whole));
  });

  it('eval and the exported model are the final fully binary network; a run stopped in stage 1 cannot be exported', () => {
    const evaluated = evaluateRun(whole);
    expect(evaluated.weights).toBe('binary');
    expect(evaluated.accuracy).toBe(wholeResult.final.accuracy);
    const { model } = loadRunModel(whole);
    expect(model.weights).toBe('binary');
    model.dispose();

    const stopped = tmp();
    expect(() => trainArch(student(), options, stopped, killAfter(3))).toThrow(Killed);
    expect(evaluateRun(stopped).weights).toBe('real');
    expect(() => loadRunModel(stopped)).toThrow(/stopped in stage 1 of staged training .*finish it with groupnas train --resume/);
  });

  it('leaks no tensors across the stage switch', () => {
    const before = tf.memory().numTensors;
    trainArch(student(), { ...options, checkpointEverySteps: 0 }, tmp());
    expect(tf.memory().numTensors).toBe(before);
  });
});
