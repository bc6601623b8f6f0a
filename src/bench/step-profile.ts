import * as tf from '../util/tfjs.js';

/** One kernel's share of a profiled training step. */
export interface KernelProfileRow {
  kernel: string;
  ms: number;
  calls: number;
  /** Of the step's wall time. */
  share: number;
}

/**
 * Time every kernel `step` runs on the active backend (tf.profile), by kernel name, slowest
 * first. Scopes (customGrad ops, which hold kernels of their own) are left out so nothing is
 * counted twice; the shares are of the step's wall time, the rest being JavaScript between kernels.
 */
export async function profileStep(step: () => void): Promise<{ stepMs: number; kernels: KernelProfileRow[] }> {
  const backend = tf.getBackend();
  const start = performance.now();
  const info = await tf.profile(step);
  const stepMs = performance.now() - start;
  const byName = new Map<string, { ms: number; calls: number }>();
  for (const k of info.kernels) {
    if (tf.getKernel(k.name, backend) === undefined) continue;
    const ms = await k.kernelTimeMs;
    const entry = byName.get(k.name) ?? { ms: 0, calls: 0 };
    entry.ms += typeof ms === 'number' ? ms : 0;
    entry.calls++;
    byName.set(k.name, entry);
  }
  const kernels = [...byName.entries()].map(([kernel, e]) => ({ kernel, ms: e.ms, calls: e.calls, share: e.ms / stepMs })).sort((a, b) => b.ms - a.ms);
  return { stepMs, kernels };
}
