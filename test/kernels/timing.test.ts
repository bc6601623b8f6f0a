// The timer's contract on tiny work: what it counts, not how fast anything is.
import { describe, expect, it } from 'vitest';
import { Worker } from 'node:worker_threads';
import { cpuSeconds, timeMedian } from '../../src/kernels/timing.js';
import { loadNativeAddon } from '../../src/util/native-addon.js';

/** The thread's own clock comes from the native addon (without it the CPU clock is the process's). */
const hasThreadClock = (() => {
  try {
    return loadNativeAddon().threadCpuSeconds() >= 0;
  } catch {
    return false;
  }
})();

/** Busy work whose cost grows with n (kept observable so it is not optimized away). */
function spin(n: number): () => void {
  let sink = 0;
  return () => {
    for (let i = 0; i < n; i++) sink += Math.sqrt(i + sink);
    if (sink === -1) throw new Error('unreachable');
  };
}

describe('timeMedian', () => {
  it('times single calls on the wall clock by default', () => {
    let calls = 0;
    const t = timeMedian(
      () => {
        calls++;
      },
      { warmUpSeconds: 0, seconds: 0, minRepeats: 7 },
    );
    expect(t.repeats).toBe(7);
    expect(calls).toBe(3 + 7); // three warm-up calls, then one call per repeat
  });

  it('on the CPU clock, groups calls shorter than minRepeatSeconds and reports seconds per call', () => {
    let calls = 0;
    const tiny = () => {
      calls++;
    };
    const t = timeMedian(tiny, { clock: 'cpu', warmUpSeconds: 0, seconds: 0, minRepeats: 5, minRepeatSeconds: 1e-3 });
    expect(t.repeats).toBeGreaterThan(5); // several calls per repeat
    expect(t.repeats % 5).toBe(0);
    expect(calls).toBe(3 + t.repeats);
    expect(t.medianSeconds).toBeLessThan(1e-3);
  });

  it('does not count time the process spends waiting (CPU clock), unlike the wall clock', () => {
    const sleepy = () => {
      spin(1000)();
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20); // 20 ms asleep
    };
    const options = { warmUpSeconds: 0, seconds: 0, minRepeats: 3, minRepeatSeconds: 0 };
    const wall = timeMedian(sleepy, options);
    const cpu = timeMedian(sleepy, { ...options, clock: 'cpu' });
    expect(wall.medianSeconds).toBeGreaterThan(0.015);
    expect(cpu.medianSeconds).toBeLessThan(0.01);
  });

  it.skipIf(!hasThreadClock)("on the CPU clock, counts this thread's work only: another thread spinning meanwhile is not timed", async () => {
    // A worker, told to go, spins until the process has used 300 ms more CPU time while this thread sleeps:
    // the process's CPU time grows by it, ours does not. (Spinning on its CPU time, not the wall clock, so
    // that the work it does does not depend on how much of a core a busy machine leaves it.)
    const worker = new Worker(
      `const { parentPort } = require('worker_threads');
      const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
      parentPort.once('message', () => {
        const end = cpu() + 0.3;
        while (cpu() < end);
        parentPort.postMessage(0);
      });`,
      { eval: true },
    );
    await new Promise((resolve) => worker.once('online', resolve));
    const processStart = process.cpuUsage();
    const ownStart = cpuSeconds();
    const done = new Promise((resolve) => worker.once('message', resolve));
    worker.postMessage('go');
    await done;
    const processSeconds = (process.cpuUsage(processStart).user + process.cpuUsage(processStart).system) / 1e6;
    await worker.terminate();
    expect(processSeconds).toBeGreaterThan(0.25);
    expect(cpuSeconds() - ownStart).toBeLessThan(0.05);
  });

  it('on the CPU clock, stops repeating after five times the budget on the wall clock (a call that waits would never fill it)', () => {
    const waiting = () => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    const t = timeMedian(waiting, { clock: 'cpu', warmUpSeconds: 0, seconds: 0.05, minRepeats: 2, minRepeatSeconds: 0 });
    expect(t.repeats).toBeGreaterThanOrEqual(2);
    expect(t.repeats).toBeLessThan(60); // 0.25 s of 10 ms waits, and not an endless loop
  });
});
