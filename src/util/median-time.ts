/**
 * Median wall time in ms of `runs` calls after `warmup` untimed ones. For work that takes seconds
 * per call (a training step), where a fixed count is the budget; the kernels' `timeMedian` is the
 * time-budgeted variant for microsecond calls. `now` is the clock read before and after each
 * call, in ms (default: performance.now, the wall clock).
 */
export function medianMs(fn: () => void, runs: number, warmup: number, now: () => number = () => performance.now()): number {
  const times: number[] = [];
  for (let i = 0; i < warmup + runs; i++) {
    const start = now();
    fn();
    if (i >= warmup) times.push(now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

/** The median of `values` (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
