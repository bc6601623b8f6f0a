/**
 * Timing kernels: warm-up, then the median of repeats (robust to the odd slow run on a shared machine).
 *
 * Two clocks. `wall` (performance.now) is the latency a user sees on an idle machine; on a busy one
 * it also counts the time other processes hold the core, and a call of a few milliseconds is
 * pre-empted often enough that even the median moves by tens of percent between rounds. `cpu`
 * (this thread's CPU time, from the native addon) counts only the work done, so it is what a latency
 * table measured on a shared machine should hold. It is the calling thread's own, so a timed call
 * must run on one thread (batch 1, one kernel thread): the whole process's time (process.cpuUsage,
 * the fallback without the addon) also counts V8's compiler and garbage-collector threads, which
 * read a 1-bit conv at up to 2× its own thread's time in the first second after start
 * (scripts/cpu-clocks.mjs). Reading either CPU clock costs about 2 µs, so calls
 * shorter than `minRepeatSeconds` are timed in groups and divided.
 */

import { loadNativeAddon } from '../util/native-addon.js';

export type TimingClock = 'wall' | 'cpu';

/** How many times its budget a timing may take on the wall clock (see timeMedian). */
const WALL_CAP = 5;

export interface TimingOptions {
  /** Warm-up time before measuring, on the chosen clock (at least 3 calls are always made). */
  warmUpSeconds?: number;
  /** Keep repeating until this much time has passed on the chosen clock. */
  seconds?: number;
  /** At least this many measured repeats. */
  minRepeats?: number;
  /** Default `wall`. */
  clock?: TimingClock;
  /** A timed repeat runs the call as many times as it takes to span this long (default: 50 µs on the CPU clock, whose reading costs a microsecond or two; one call on the wall clock). */
  minRepeatSeconds?: number;
}

export interface Timing {
  medianSeconds: number;
  /** Calls measured. */
  repeats: number;
}

function processCpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** This thread's CPU clock from the native addon, when it loads and the system has one. */
function threadCpuClock(): (() => number) | undefined {
  try {
    const addon = loadNativeAddon();
    return typeof addon.threadCpuSeconds === 'function' && addon.threadCpuSeconds() >= 0 ? () => addon.threadCpuSeconds() : undefined;
  } catch {
    return undefined;
  }
}

let cpuClock: (() => number) | undefined;

/** The CPU clock timings read: this thread's, else (no addon) this process's. */
export function cpuSeconds(): number {
  cpuClock ??= threadCpuClock() ?? processCpuSeconds;
  return cpuClock();
}

export function timeMedian(fn: () => void, options: TimingOptions = {}): Timing {
  const now = options.clock === 'cpu' ? cpuSeconds : () => performance.now() / 1000;
  // Warm-up and the measuring budget run on the chosen clock too: on a busy machine a wall-clock
  // warm-up may end before V8 has optimized the float loops, and the first repeats would time the interpreter.
  const warmUpEnd = now() + (options.warmUpSeconds ?? 0.1);
  let fastestCall = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 3 || now() < warmUpEnd; i++) {
    const t0 = now();
    fn();
    fastestCall = Math.min(fastestCall, now() - t0);
  }
  const minRepeatSeconds = options.minRepeatSeconds ?? (options.clock === 'cpu' ? 5e-5 : 0);
  const calls = Math.max(1, Math.ceil(minRepeatSeconds / Math.max(fastestCall, 1e-6)));
  const minRepeats = options.minRepeats ?? 5;
  const end = now() + (options.seconds ?? 0.3);
  // On a machine so busy that the process gets a sliver of a core, the CPU-clock budget would take many
  // times as long to pass: the repeats stop after WALL_CAP times it on the wall clock (minRepeats still run).
  const wallEnd = performance.now() / 1000 + WALL_CAP * (options.seconds ?? 0.3);
  const times: number[] = [];
  while (times.length < minRepeats || (now() < end && performance.now() / 1000 < wallEnd)) {
    const t0 = now();
    for (let c = 0; c < calls; c++) fn();
    times.push((now() - t0) / calls);
  }
  times.sort((a, b) => a - b);
  return { medianSeconds: times[Math.floor(times.length / 2)]!, repeats: times.length * calls };
}
