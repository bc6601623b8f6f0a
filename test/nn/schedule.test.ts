import { describe, expect, it } from 'vitest';
import { checkSchedule, learningRateAt, type LrSchedule } from '../../src/nn/schedule.js';

describe('learningRateAt', () => {
  it('cosine: base at 0, half at T/2, 0 at T and after', () => {
    const s = { kind: 'cosine', totalSteps: 100 } as const;
    expect(learningRateAt(0.1, s, 0)).toBeCloseTo(0.1, 12);
    expect(learningRateAt(0.1, s, 50)).toBeCloseTo(0.05, 12);
    expect(learningRateAt(0.1, s, 100)).toBeCloseTo(0, 12);
    expect(learningRateAt(0.1, s, 150)).toBeCloseTo(0, 12);
  });

  it('cosine with warm-up rises linearly, then decays to minFactor', () => {
    const s = { kind: 'cosine', totalSteps: 110, warmupSteps: 10, minFactor: 0.1 } as const;
    expect(learningRateAt(1, s, 0)).toBeCloseTo(0.1, 12);
    expect(learningRateAt(1, s, 9)).toBeCloseTo(1, 12);
    expect(learningRateAt(1, s, 10)).toBeCloseTo(1, 12);
    expect(learningRateAt(1, s, 110)).toBeCloseTo(0.1, 12);
  });

  it('step: multiplies by γ at each milestone reached', () => {
    const s: LrSchedule = { kind: 'step', milestones: [3, 6], gamma: 0.1 };
    expect([0, 2, 3, 5, 6, 9].map((t) => learningRateAt(0.05, s, t))).toEqual([
      0.05, 0.05, 0.005000000000000001, 0.005000000000000001, 0.0005000000000000001, 0.0005000000000000001,
    ]);
  });

  it('refuses a cosine schedule without a positive step count', () => {
    expect(() => checkSchedule({ kind: 'cosine', totalSteps: 0 }, 'config.json: schedule')).toThrow(/config\.json: schedule: totalSteps/);
  });
});
