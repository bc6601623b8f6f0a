import * as tf from '../helpers/tfjs.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildModel } from '../../src/nn/group-net.js';
import { needsCheckpointing, plainTapeBytes } from '../../src/nn/gradient-checkpoint.js';
import { buildPreset } from '../../src/space/presets.js';
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
    const before = tf.memory().numTensors;
    const w0 = snapshot(model.stateDict());
    const loss = trainer.step(batch.x, batch.y);
    expect(tf.memory().numTensors).toBe(before);
    trainer.step(batch.x, batch.y);
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

  it.each([
    ['SGD-Nesterov, cosine', sgd],
    ['Adam, step schedule, label smoothing', adam],
  ])('%s: resuming from saved model + optimizer state continues bit-for-bit', (_, options) => {
    const arch = tinyArch({ bits: 1, bases: 2 });
    const batches = [1, 2, 3, 4].map((s) => toyBatch(s));
    // Uninterrupted: 4 steps.
    const whole = buildModel(arch, { seed: 8 });
    const t1 = createTrainer(whole, options);
    for (const b of batches) t1.step(b.x, b.y);
    const expected = snapshot(whole.stateDict());
    // Interrupted after 2 steps: copy everything out, rebuild from another seed, load, continue.
    const first = buildModel(arch, { seed: 8 });
    const t2 = createTrainer(first, options);
    for (const b of batches.slice(0, 2)) t2.step(b.x, b.y);
    const saved = tf.tidy(() => ({
      model: Object.fromEntries(Object.entries(first.stateDict()).map(([k, v]) => [k, tf.keep(v.clone())])),
      trainer: { ...t2.state(), slots: Object.fromEntries(Object.entries(t2.state().slots).map(([k, v]) => [k, tf.keep(v.clone())])) },
    }));
    t2.dispose();
    first.dispose();
    const resumed = buildModel(arch, { seed: 99 });
    const t3 = createTrainer(resumed, options);
    resumed.loadStateDict(saved.model);
    t3.loadState(saved.trainer);
    expect(t3.stepCount).toBe(2);
    for (const b of batches.slice(2)) t3.step(b.x, b.y);
    expect(snapshot(resumed.stateDict())).toEqual(expected);
    tf.dispose([...Object.values(saved.model), ...Object.values(saved.trainer.slots), ...batches.flatMap((b) => [b.x, b.y])]);
    [t1, t3].forEach((t) => t.dispose());
    [whole, resumed].forEach((m) => m.dispose());
  });

  it('loadState refuses another optimizer kind, naming the field', () => {
    const model = buildModel(tinyFpArch());
    const a = createTrainer(model, sgd);
    const b = createTrainer(model, adam);
    expect(() => b.loadState(a.state(), 'run/checkpoint.bin')).toThrow(/run\/checkpoint\.bin: optimizer: expected adam, got sgd-nesterov/);
    a.dispose();
    b.dispose();
    model.dispose();
  });

  it('refuses bad options, naming the field', () => {
    const model = buildModel(tinyFpArch());
    expect(() => createTrainer(model, { ...sgd, learningRate: 0 })).toThrow(/learningRate/);
    expect(() => createTrainer(model, { ...sgd, labelSmoothing: 1 })).toThrow(/labelSmoothing/);
    expect(() => createTrainer(model, { ...sgd, schedule: { kind: 'cosine', totalSteps: 0 } })).toThrow(/schedule: totalSteps/);
    model.dispose();
  });

  it('weight decay applies to conv/dense kernels only', () => {
    const model = buildModel(tinyArch({ bits: 1, bases: 2 }));
    const decayed = model
      .trainableParameters()
      .filter((p) => p.decay)
      .map((p) => p.name);
    expect(decayed.every((n) => n.endsWith('.weight'))).toBe(true);
    expect(decayed).toContain('head.fc.weight');
    expect(decayed.some((n) => /gamma|beta|mix|lambda|bias/.test(n))).toBe(false);
    model.dispose();
  });

  it('learns the toy task (FP twin): training loss falls and accuracy beats chance', () => {
    const model = buildModel(tinyFpArch(), { seed: 0 });
    const trainer = createTrainer(model, { optimizer: 'adam', learningRate: 0.01 });
    const batch = toyBatch(11, 16);
    const first = trainer.step(batch.x, batch.y);
    let last = first;
    for (let i = 0; i < 15; i++) last = trainer.step(batch.x, batch.y);
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

describe('gradient checkpointing (checkpointBlocks)', () => {
  it('by default checkpoints a training batch only when its plain tape would not fit the wasm heap', () => {
    const models = [
      buildModel(tinyFpArch()),
      buildModel(tinyArch({ bits: 1, bases: [1, 2] })),
      buildModel(tinyArch({ bits: 1, bases: [1, 2] }), { checkpointBlocks: true }),
    ];
    expect(models.map((m) => m.checkpointBlocks)).toEqual(['auto', 'auto', true]);
    expect(models.map((m) => m.checkpointsBatch(64))).toEqual([false, false, true]);
    models.forEach((m) => m.dispose());
    // Group-Net R/2 with K = 5 trains plainly at batch 64 (a 2.6 GB heap measured), not at 128;
    // Group-Net R (full width) needs it at 64; the FP twin of R never does at 64.
    const r = (name: string, widthMultiplier: number) => buildPreset(name, { widthMultiplier });
    expect(needsCheckpointing(r('groupnet-k5', 0.5), 64)).toBe(false);
    expect(needsCheckpointing(r('groupnet-k5', 0.5), 128)).toBe(true);
    expect(needsCheckpointing(r('groupnet-k5', 1), 64)).toBe(true);
    expect(needsCheckpointing(r('fp', 1), 64)).toBe(false);
    expect(plainTapeBytes(r('groupnet-k5', 0.5), 128)).toBeCloseTo(2 * plainTapeBytes(r('groupnet-k5', 0.5), 64));
  });

  it('gives the same loss, gradients and BN statistics as the plain tape, and leaks nothing', () => {
    const arch = tinyArch({ bits: 1, bases: 2, blocksPerStage: [1, 1] });
    const plain = buildModel(arch, { seed: 4, checkpointBlocks: false });
    const ckpt = buildModel(arch, { seed: 4, checkpointBlocks: true });
    const batch = toyBatch(3);
    const gradsOf = (m: typeof plain): { loss: number; grads: Record<string, Float32Array> } =>
      tf.tidy(() => {
        const vars = m.trainableVariables;
        const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(m.forward(batch.x, true))) as tf.Scalar, vars);
        const byName = Object.fromEntries(m.trainableParameters().map((p) => [p.name, grads[p.variable.name]!.dataSync() as Float32Array]));
        return { loss: value.dataSync()[0]!, grads: byName };
      });
    const before = tf.memory().numTensors;
    const a = gradsOf(plain);
    const b = gradsOf(ckpt);
    expect(tf.memory().numTensors).toBe(before);
    expect(b.loss).toBeCloseTo(a.loss, 6);
    expect(Object.keys(b.grads)).toEqual(Object.keys(a.grads));
    for (const [name, g] of Object.entries(a.grads)) {
      const h = b.grads[name]!;
      const scale = Math.max(1e-6, ...Array.from(g, Math.abs));
      const worst = Math.max(...Array.from(g, (v, i) => Math.abs(v - h[i]!)));
      expect(worst / scale, name).toBeLessThan(1e-4);
    }
    // The recomputation in the backward pass does not move the running statistics a second time.
    expect(snapshot(ckpt.stateDict())['groups.1.bases.1.blocks.1.unit2.bn.runningMean']).toEqual(
      snapshot(plain.stateDict())['groups.1.bases.1.blocks.1.unit2.bn.runningMean'],
    );
    tf.dispose([batch.x, batch.y]);
    plain.dispose();
    ckpt.dispose();
  });
});
