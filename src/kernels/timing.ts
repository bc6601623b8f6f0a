/** Timing kernels: warm-up, then the median of repeats (robust to the odd slow run on a shared machine). */

export interface TimingOptions {
  /** Warm-up time before measuring (at least 3 calls are always made). */
  warmUpSeconds?: number;
  /** Keep repeating until this much time has been measured. */
  seconds?: number;
  /** At least this many measured repeats. */
  minRepeats?: number;
}

export interface Timing {
  medianSeconds: number;
  repeats: number;
}

export function timeMedian(fn: () => void, options: TimingOptions = {}): Timing {
  const warmUpEnd = performance.now() + (options.warmUpSeconds ?? 0.1) * 1000;
  for (let i = 0; i < 3 || performance.now() < warmUpEnd; i++) fn();
  const minRepeats = options.minRepeats ?? 5;
  const end = performance.now() + (options.seconds ?? 0.3) * 1000;
  const times: number[] = [];
  while (times.length < minRepeats || performance.now() < end) {
    const t0 = performance.now();
    fn();
    times.push((performance.now() - t0) / 1000);
  }
  times.sort((a, b) => a - b);
  return { medianSeconds: times[Math.floor(times.length / 2)]!, repeats: times.length };
}
