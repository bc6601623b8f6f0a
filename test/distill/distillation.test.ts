import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../helpers/tfjs.js';
import { attentionBlocks, distillationLoss, DistilledStudent, type Distillation } from '../../src/distill/distillation.js';
import { attentionTransferLoss, logitKdLoss } from '../../src/distill/losses.js';
import { buildModel, softmaxCrossEntropy } from '../../src/nn/index.js';
import { buildPreset } from '../../src/space/presets.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const arch = (preset: string) => buildPreset(preset, { widthMultiplier: 0.125 });
const scalar = (t: tf.Tensor) => t.dataSync()[0]!;

describe('distillationLoss', () => {
  it('is labelWeight·CE + kd·KD + at·AT, the teacher run in inference mode on the same batch', () => {
    const teacher = buildModel(arch('fp'), { seed: 1 });
    const student = buildModel(arch('groupnet-k1'), { seed: 2 });
    const x = tf.randomNormal([4, 28, 28, 1], 0, 1, 'float32', 3) as tf.Tensor4D;
    const labels = tf.tensor1d([0, 1, 2, 3], 'int32');
    const d: Distillation = { teacher, kd: 0.7, at: 3, temperature: 4, labelWeight: 0.5 };
    const blocks = attentionBlocks(d, student.arch);
    expect(blocks.length).toBeGreaterThan(0);
    const s = student.forwardWithFeatures(x, false, blocks);
    const t = teacher.forwardWithFeatures(x, false, blocks);
    const expected =
      0.5 * scalar(softmaxCrossEntropy(s.logits, labels)) +
      0.7 * scalar(logitKdLoss(s.logits, t.logits, 4)) +
      3 * scalar(attentionTransferLoss(s.features, t.features));
    expect(scalar(distillationLoss(s, labels, x, d, blocks))).toBeCloseTo(expected, 5);
    // No teacher term: the label loss alone, and without attention transfer no features are taken.
    expect(attentionBlocks({ ...d, at: 0 }, student.arch)).toEqual([]);
    const plain = distillationLoss({ logits: s.logits, features: [] }, labels, x, { ...d, kd: 0, at: 0, labelWeight: 1 }, []);
    expect(scalar(plain)).toBeCloseTo(scalar(softmaxCrossEntropy(s.logits, labels)), 6);
    teacher.dispose();
    student.dispose();
  });

  it('a DistilledStudent hands the trainer the loss over the features of its own forward pass', () => {
    const teacher = buildModel(arch('fp'), { seed: 1 });
    const model = buildModel(arch('groupnet-k1'), { seed: 2 });
    const x = tf.randomNormal([2, 28, 28, 1], 0, 1, 'float32', 5) as tf.Tensor4D;
    const labels = tf.tensor1d([4, 5], 'int32');
    const d: Distillation = { teacher, kd: 1, at: 2, temperature: 2 };
    const student = new DistilledStudent(model, d);
    const logits = student.forward(x, false);
    const viaStudent = scalar(student.loss(0)(logits, labels, x));
    const direct = scalar(distillationLoss(model.forwardWithFeatures(x, false, student.atBlocks), labels, x, d, student.atBlocks));
    expect(viaStudent).toBeCloseTo(direct, 6);
    teacher.dispose();
    model.dispose();
  });
});
