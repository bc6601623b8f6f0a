import * as tf from '../helpers/tfjs.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { upsampleBilinear } from '../../src/nn/fcn-head.js';
import { buildModel } from '../../src/nn/group-net.js';
import { softmaxCrossEntropy } from '../../src/nn/loss.js';
import { baseDilation } from '../../src/space/base-dilation.js';
import { tinyArch } from './helpers/archs.js';
import { randomInput } from './helpers/blocks.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('bilinear up-sampling', () => {
  it("equals tfjs's resizeBilinear with half-pixel centres (PyTorch align_corners=False)", () => {
    const x = randomInput([2, 3, 5, 4]);
    const ours = upsampleBilinear(x, 8, 11);
    const reference = tf.image.resizeBilinear(x, [8, 11], false, true);
    expect(ours.shape).toEqual([2, 8, 11, 4]);
    const a = ours.dataSync();
    const b = reference.dataSync();
    for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(b[i]!, 5);
    tf.dispose([x, ours, reference]);
  });
});

describe('FCN heads', () => {
  const seg = (fcn: '32s' | '16s') => ({ ...tinyArch({ bases: 2, bits: 1, classes: 4 }), head: { classes: 4, fcn } });

  it('32s: per-pixel logits [N·H·W, classes] from a 1×1 classifier, no FC', () => {
    const model = buildModel(seg('32s'), { seed: 1 });
    const x = randomInput([2, 8, 8, 1]);
    const logits = model.forward(x, true);
    expect(logits.shape).toEqual([2 * 8 * 8, 4]);
    const names = Object.keys(model.stateDict());
    expect(names).toContain('head.classifier.weight');
    expect(names.some((n) => n.startsWith('head.fc'))).toBe(false);
    expect(names.some((n) => n.startsWith('head.skip'))).toBe(false);
    tf.dispose([x, logits]);
    model.dispose();
  });

  it('16s: a skip classifier on the second-to-last stage, and gradients reach it', () => {
    const model = buildModel(seg('16s'), { seed: 1 });
    const x = randomInput([2, 8, 8, 1]);
    const labels = tf.tensor1d(
      Array.from({ length: 128 }, (_, i) => (i % 5 === 0 ? 255 : i % 4)),
      'int32',
    );
    const skip = model.params.trainable().find((p) => p.name === 'head.skip.weight')!;
    expect(skip.variable.shape).toEqual([4, 4]);
    const { value, grads } = tf.variableGrads(() => softmaxCrossEntropy(model.forward(x, true), labels, 0, 255), [skip.variable]);
    expect(Number.isFinite(value.dataSync()[0])).toBe(true);
    expect(Math.max(...Array.from(grads[skip.variable.name]!.abs().dataSync()))).toBeGreaterThan(0);
    tf.dispose([x, labels, value, ...Object.values(grads)]);
    model.dispose();
  });
});

describe('ignored pixels', () => {
  it('count in neither the loss sum nor its mean', () => {
    const logits = tf.tensor2d([
      [2, 0],
      [0, 1],
      [5, -5],
    ]);
    const withIgnored = softmaxCrossEntropy(logits, tf.tensor1d([0, 1, 255], 'int32'), 0, 255).dataSync()[0]!;
    const firstTwo = softmaxCrossEntropy(logits.slice([0, 0], [2, 2]) as tf.Tensor2D, tf.tensor1d([0, 1], 'int32')).dataSync()[0]!;
    expect(withIgnored).toBeCloseTo(firstTwo, 6);
  });
});

describe('BPAC in the builder', () => {
  it("gives each base of a group its own dilation in every unit's conv", () => {
    const arch = { ...tinyArch({ bases: 3, bits: 1, blocksPerStage: [2] }), dilations: [[], [1, 2, 4]] };
    const model = buildModel(arch, { seed: 0 });
    const rates = model.groups[1]!.bases.map(
      (blocks) => (blocks[0] as unknown as { unit1: { conv: { convs: { options: { dilation: number } }[] } } }).unit1.conv.convs[0]!.options.dilation,
    );
    expect(rates).toEqual([1, 2, 4]);
    expect([0, 1, 2].map((k) => baseDilation(arch, 0, k, 0))).toEqual([1, 1, 1]);
    const x = randomInput([1, 8, 8, 1]);
    expect(model.forward(x, false).shape).toEqual([1, 3]);
    x.dispose();
    model.dispose();
  });
});
