import { describe, expect, it } from 'vitest';
import { median, medianMs } from '../../src/util/median-time.js';

describe('medianMs', () => {
  it('makes warmup + runs calls and returns the median of the timed ones', () => {
    let calls = 0;
    const durations = [50, 50, 1, 30, 2]; // first two are warm-up: the timed ones are 1, 30, 2 → median 2
    const ms = medianMs(
      () => {
        const until = performance.now() + durations[calls++]!;
        while (performance.now() < until) {
          /* busy wait */
        }
      },
      3,
      2,
    );
    expect(calls).toBe(5);
    expect(ms).toBeGreaterThanOrEqual(2);
    expect(ms).toBeLessThan(25);
  });
});

describe('median', () => {
  it('is the middle value, or the mean of the middle two, of values in any order', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
  });
});
