import * as tf from '../helpers/tfjs.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { costLoss, costObjectiveFrom, resolveCostTarget } from '../../src/search/cost-objective.js';
import { UsageError } from '../../src/util/errors.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** dL/dE at expected cost E (task loss 2). */
function slope(kind: 'multiplicative' | 'additive', e: number): number {
  const objective = { kind, target: 100, scale: 1, exponent: 0.6, weight: 0.5 };
  return tf.tidy(
    () =>
      tf
        .grad((c: tf.Tensor) => costLoss(objective, tf.scalar(2), c as tf.Scalar))(tf.scalar(e))
        .dataSync()[0]!,
  );
}

describe('cost objective', () => {
  it('is the task loss at the target and grows on both sides (the anti-collapse guard: below the target it pushes cost up)', () => {
    for (const kind of ['multiplicative', 'additive'] as const) {
      const objective = { kind, target: 100, scale: 1, exponent: 0.6, weight: 0.5 };
      const at = (e: number) => tf.tidy(() => costLoss(objective, tf.scalar(2), tf.scalar(e)).dataSync()[0]!);
      expect(at(100)).toBeCloseTo(2, 6);
      expect(at(50)).toBeGreaterThan(2);
      expect(at(200)).toBeGreaterThan(2);
      expect(slope(kind, 50)).toBeLessThan(0);
      expect(slope(kind, 200)).toBeGreaterThan(0);
    }
    // Hand values: multiplicative 2·2^0.6 at twice the target; additive 2 + 0.5·1.
    expect(
      tf.tidy(() => costLoss({ kind: 'multiplicative', target: 100, scale: 1, exponent: 0.6, weight: 0 }, tf.scalar(2), tf.scalar(200)).dataSync()[0]!),
    ).toBeCloseTo(2 * 2 ** 0.6, 5);
    expect(
      tf.tidy(() => costLoss({ kind: 'additive', target: 100, scale: 1, exponent: 0, weight: 0.5 }, tf.scalar(2), tf.scalar(200)).dataSync()[0]!),
    ).toBeCloseTo(2.5, 6);
  });

  it('needs a target unless the objective is none', () => {
    expect(() => costObjectiveFrom({ objective: 'additive', metric: 'bops', scale: 1, exponent: 1, weight: 1 })).toThrow(UsageError);
    expect(costObjectiveFrom({ objective: 'none', metric: 'bops', scale: 1, exponent: 1, weight: 1 }).kind).toBe('none');
  });
});

describe('resolveCostTarget', () => {
  const base = { objective: 'multiplicative' as const, metric: 'latency' as const, scale: 0.2, exponent: 0.6, weight: 0.1 };
  it('prices relativeTarget against the template, and leaves an absolute target alone', () => {
    let priced = 0;
    const template = () => {
      priced++;
      return 5;
    };
    expect(resolveCostTarget({ ...base, relativeTarget: 0.6 }, template)).toEqual({ ...base, relativeTarget: 0.6, target: 3 });
    expect(resolveCostTarget({ ...base, target: 2, relativeTarget: 0.6 }, template)).toEqual({ ...base, target: 2, relativeTarget: 0.6 });
    expect(resolveCostTarget({ ...base, target: 2 }, template)).toEqual({ ...base, target: 2 });
    expect(priced).toBe(1);
  });
});
