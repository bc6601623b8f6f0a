import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '../helpers/tfjs.js';
import { selectBackend } from '../../src/backend/select.js';
import { buildPreset } from '../../src/space/presets.js';
import type { TrainingOptions } from '../../src/train/training-options.js';
import { trainArch } from '../../src/train/training-run.js';
import { tinyTraining } from '../helpers/tiny-training.js';

beforeAll(async () => {
  await selectBackend('wasm');
});

const options: TrainingOptions = tinyTraining({ schedule: 'constant', seed: 2 });
const tmp = () => join(mkdtempSync(join(tmpdir(), 'gn-distil-')), 'run');
const student = () => buildPreset('groupnet-k1', { widthMultiplier: 0.125 });

describe('training with a teacher', () => {
  let teacherDir: string;
  beforeAll(() => {
    teacherDir = tmp();
    trainArch(buildPreset('fp', { widthMultiplier: 0.125 }), options, teacherDir);
  });

  it('adds KD and attention transfer to the loss and leaks no tensors', () => {
    const plain = trainArch(student(), options, tmp());
    const before = tf.memory().numTensors;
    const distilled = trainArch(student(), { ...options, distillation: { teacher: teacherDir, kd: 1, at: 10, temperature: 4, labelWeight: 1 } }, tmp());
    expect(tf.memory().numTensors).toBe(before);
    // same data, weights and labels: the extra terms are non-negative and not all zero
    expect(distilled.history[0]!.trainLoss).toBeGreaterThan(plain.history[0]!.trainLoss);
  });

  it('with labelWeight 0 and kd 0 and at 0 nothing is learned from labels: loss is 0', () => {
    const r = trainArch(student(), { ...options, distillation: { teacher: teacherDir, kd: 0, at: 0, temperature: 1, labelWeight: 0 } }, tmp());
    expect(r.history[0]!.trainLoss).toBe(0);
  });

  it('refuses a teacher whose classes or backbone do not match the student, naming the field', () => {
    const tenClassTeacher = { teacher: teacherDir, kd: 1, at: 0, temperature: 4, labelWeight: 1 };
    expect(() => trainArch(buildPreset('groupnet-k1', { widthMultiplier: 0.125, classes: 5 }), { ...options, distillation: tenClassTeacher }, tmp())).toThrow(
      /--teacher .*: head\.classes: the teacher predicts 10 classes, the student 5/,
    );
    const noDownsampling = student();
    noDownsampling.blocks = noDownsampling.blocks.map((b) => ({ ...b, stride: 1 }));
    expect(() => trainArch(noDownsampling, { ...options, distillation: tenClassTeacher }, tmp())).toThrow(
      /--teacher .*: blocks: the teacher downsamples as \[stem 3×3\/1, stride 1, stride 1, stride 2, .*\], the student as \[stem 3×3\/1, stride 1, stride 1, stride 1, /,
    );
  });

  it('teaches a student whose blocks compute otherwise (plain, skip) but downsample as the teacher does', () => {
    const mixed = student();
    mixed.blocks[0] = { ...mixed.blocks[0]!, kind: 'plain' };
    const r = trainArch(mixed, { ...options, distillation: { teacher: teacherDir, kd: 1, at: 10, temperature: 4, labelWeight: 1 } }, tmp());
    expect(r.history).toHaveLength(options.epochs);
  });
});
