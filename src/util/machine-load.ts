/**
 * How busy the rest of the machine was while we measured something: the share of the other cores
 * that other processes kept busy. A CPU-clock timing is not immune to them: on a VM whose vCPUs
 * share physical cores, a process spinning on the other vCPU slowed our timing thread's own CPU
 * time 1.8–2.7× on this project's machines, so a latency measured then is not the work's own time.
 */
import { cpus } from 'node:os';

interface CpuTotals {
  busyMs: number;
  totalMs: number;
  cores: number;
}

function cpuTotals(): CpuTotals {
  let busyMs = 0;
  let totalMs = 0;
  const list = cpus();
  for (const { times } of list) {
    const busy = times.user + times.nice + times.sys + times.irq;
    busyMs += busy;
    totalMs += busy + times.idle;
  }
  return { busyMs, totalMs, cores: list.length };
}

/**
 * Start watching; the function returned gives, from 0 to 1, the share of the other cores that
 * other processes kept busy since the start (this process's own threads excluded; 0 on one core,
 * where the CPU clock already leaves other processes out). The kernel counts in ticks of ~10 ms,
 * so watch for at least a tenth of a second.
 */
export function watchMachineLoad(): () => number {
  const start = cpuTotals();
  const ownStart = process.cpuUsage();
  return () => {
    const end = cpuTotals();
    const own = process.cpuUsage(ownStart);
    const elapsedMs = end.totalMs - start.totalMs;
    if (end.cores < 2 || end.cores !== start.cores || elapsedMs <= 0) return 0;
    const othersBusyMs = end.busyMs - start.busyMs - (own.user + own.system) / 1000;
    const otherCoresMs = (elapsedMs * (end.cores - 1)) / end.cores;
    return Math.min(1, Math.max(0, othersBusyMs / otherCoresMs));
  };
}
