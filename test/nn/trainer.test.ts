import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildModel } from '../../src/nn/group-net.js';
import { createTrainer, type TrainerOptions } from '../../src/nn/trainer.js';
import { tinyArch, tinyFpArch } from './helpers/archs.js';
import { snapshot, toyBatch } from './helpers/batches.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const sgd: TrainerOptions = { optimizer: 'sgd-nesterov', learningRate: 0.05, weightDecay: 1e-4, schedule: { kind: 'cosine', totalSteps: 10 } };
const adam: TrainerOptions = { optimizer: 'adam', learningRate: 1e-3, labelSmoothing: 0.1, schedule: { kind: 'step', milestones: [1], gamma: 0.1 } };

describe('Trainer', () => {
  it.each([
    ['FP twin, SGD-Nesterov', tinyFpArch(), sgd],
    ['Group-Net K=3 1-bit soft, Adam', tinyArch({ bits: 1, bases: 3 }), adam],
  ])('%s: a step leaks no tensors and changes the weights', (_, arch, options) => {
    const model = buildModel(arch, { seed: 3 });
    const trainer = createTrainer(model, options);
    const batch = toyBatch(1);
    trainer.step(batch.x, batch.y); // first step may create nothing new, but warm up anyway
    const before = tf.memory().numTensors;
    const w0 = snapshot(model.stateDict());
    const loss = trainer.step(batch.x, batch.y);
    expect(tf.memory().numTensors).toBe(before);
    expect(Number.isFinite(loss)).toBe(true);
    const w1 = snapshot(model.stateDict());
    expect(w1['stem.conv.weight']).not.toEqual(w0['stem.conv.weight']);
    expect(w1['stem.bn.runningMean']).not.toEqual(w0['stem.bn.runningMean']);
    tf.dispose([batch.x, batch.y]);
    trainer.dispose();
    model.dispose();
  });

  it('same seed → identical weights after 2 steps; another seed differs', () => {
    const run = (seed: number): Record<string, Float32Array> => {
      const model = buildModel(tinyArch({ bits: 4, bases: 2 }), { seed });
      const trainer = createTrainer(model, sgd);
      for (const s of [1, 2]) {
        const b = toyBatch(s);
        trainer.step(b.x, b.y);
        tf.dispose([b.x, b.y]);
      }
      const out = snapshot(model.stateDict());
      trainer.dispose();
      model.dispose();
      return out;
    };
    const a = run(5);
    expect(run(5)).toEqual(a);
    expect(run(6)['stem.conv.weight']).not.toEqual(a['stem.conv.weight']);
  });

  it('learns the toy task (FP twin): training loss falls and accuracy beats chance', () => {
    const model = buildModel(tinyFpArch(), { seed: 0 });
    const trainer = createTrainer(model, { optimizer: 'adam', learningRate: 0.01 });
    const batch = toyBatch(11, 24);
    const first = trainer.step(batch.x, batch.y);
    let last = first;
    for (let i = 0; i < 30; i++) last = trainer.step(batch.x, batch.y);
    expect(last).toBeLessThan(first * 0.5);
    const test = toyBatch(12, 30);
    const result = trainer.evaluate([test]);
    expect(result.count).toBe(30);
    expect(result.accuracy).toBeGreaterThan(0.6);
    tf.dispose([batch.x, batch.y, test.x, test.y]);
    trainer.dispose();
    model.dispose();
  });
});
