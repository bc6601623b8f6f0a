import { describe, expect, it } from 'vitest';
import { median, medianMs } from '../../src/util/median-time.js';

describe('medianMs', () => {
  it('makes warmup + runs calls and returns the median of the timed ones', () => {
    // The calls' durations come from a clock they advance (a busy machine would stretch real ones).
    let clock = 0;
    let calls = 0;
    const durations = [50, 50, 1, 30, 2]; // first two are warm-up: the timed ones are 1, 30, 2 → median 2
    const ms = medianMs(
      () => {
        clock += durations[calls++]!;
      },
      3,
      2,
      () => clock,
    );
    expect(calls).toBe(5);
    expect(ms).toBe(2);
  });

  it('times on the wall clock in milliseconds by default', () => {
    // At least the 5 ms each call waits; how much longer depends on the machine, so no upper bound.
    const ms = medianMs(
      () => {
        const until = performance.now() + 5;
        while (performance.now() < until) {
          /* busy wait */
        }
      },
      1,
      0,
    );
    expect(ms).toBeGreaterThanOrEqual(5);
  });
});

describe('median', () => {
  it('is the middle value, or the mean of the middle two, of values in any order', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
  });
});
