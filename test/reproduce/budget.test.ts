import { describe, expect, it } from 'vitest';
import { checkBudget, describeBudget, describeDifferences, rowTrainingOptions, type ReproduceBudget } from '../../src/reproduce/budget.js';
import { tinyTraining } from '../helpers/tiny-training.js';

const { seed: _seed, checkpointEverySteps: _every, ...training } = tinyTraining();
const distilled: ReproduceBudget = {
  backbone: 'resnet-r',
  widthMultiplier: 0.5,
  training: { ...training, distillation: { teacher: '/runs/teacher', kd: 1, at: 0, temperature: 4, labelWeight: 1 } },
};

describe('reproduction budget', () => {
  it('gives each row its seed, and distils every row but the full-precision twin', () => {
    expect(rowTrainingOptions(distilled, 'groupnet-k3', 7, 5)).toMatchObject({ seed: 7, checkpointEverySteps: 5, distillation: { teacher: '/runs/teacher' } });
    const fp = rowTrainingOptions(distilled, 'fp', 7, 5);
    expect(fp.distillation).toBeUndefined();
    expect(fp).toMatchObject({ seed: 7, epochs: training.epochs, limit: training.limit });
  });

  it('names every differing field by path, and ignores the ones asked to', () => {
    const other = {
      ...distilled,
      widthMultiplier: 0.25,
      training: { ...distilled.training, epochs: 5, limit: undefined, distillation: { ...distilled.training.distillation!, kd: 2 } },
    };
    expect(describeDifferences(distilled, other)).toEqual([
      'training.distillation.kd: 2 in --out, 1 asked',
      'training.epochs: 5 in --out, 1 asked',
      'training.limit: none in --out, 64 asked',
      'widthMultiplier: 0.25 in --out, 0.5 asked',
    ]);
    expect(describeDifferences(distilled, other, ['widthMultiplier', 'training.epochs', 'training.limit', 'training.distillation.kd'])).toEqual([]);
    expect(describeDifferences(distilled, structuredClone(distilled))).toEqual([]);
  });

  it('describes itself in one line a report can print', () => {
    const text = describeBudget(distilled);
    expect(text).toContain('resnet-r ×0.5');
    expect(text).toContain('first 64 training images');
    expect(text).toContain('distilled from /runs/teacher');
  });

  it('refuses numbers no row could train with, naming the flag', () => {
    expect(() => checkBudget(distilled)).not.toThrow();
    expect(() => checkBudget({ ...distilled, training: { ...training, epochs: 0 } })).toThrow('--epochs: expected one positive integer, got 0');
    expect(() => checkBudget({ ...distilled, training: { ...training, testLimit: 2.5 } })).toThrow('--test-limit: expected one positive integer, got 2.5');
    expect(() => checkBudget({ ...distilled, widthMultiplier: -1 })).toThrow('--width-mult: expected one positive number, got -1');
  });
});
