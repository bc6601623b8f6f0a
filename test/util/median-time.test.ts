import { describe, expect, it } from 'vitest';
import { medianMs } from '../../src/util/median-time.js';

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
