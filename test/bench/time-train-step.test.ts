import { describe, expect, it } from 'vitest';
import { timeTrainStepAcross } from '../../src/bench/time-train-step.js';
import { selectBackend } from '../../src/backend/select.js';
import { buildPreset } from '../../src/space/presets.js';

describe('timeTrainStepAcross', () => {
  it('steps through the settings in turn, reversing the order every other round, and times each setting’s own steps', async () => {
    await selectBackend('cpu');
    const applied: string[] = [];
    const settings = ['a', 'b', 'c'].map((name) => () => void applied.push(name));
    const timings = timeTrainStepAcross(buildPreset('groupnet-k1', { widthMultiplier: 0.125 }), { batch: 2, steps: 2, warmup: 1, settle: 1 }, settings);
    // warmup round, then two timed rounds: a slow spell of the host meets every setting
    expect(applied.join('')).toBe('abccbaabc');
    expect(timings).toHaveLength(3);
    for (const t of timings) {
      expect(t.batch).toBe(2);
      expect(t.steps).toBe(2);
      expect(t.stepMs).toBeGreaterThan(0);
      expect(t.imagesPerSec).toBeCloseTo(2000 / t.stepMs, 6);
    }
  });
});
