import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { createHash } from 'node:crypto';

export interface MachineDescription {
  cpu: string;
  cores: number;
  memoryGiB: number;
  /** x86 SIMD features that matter for binary kernels, as /proc/cpuinfo names them. */
  simd: string[];
  node: string;
  platform: string;
  arch: string;
}

const SIMD_FLAGS = ['sse4_2', 'popcnt', 'avx2', 'avx512f', 'avx512bw', 'avx512_vpopcntdq', 'avx512vl'];

function cpuFlags(): Set<string> {
  try {
    const text = readFileSync('/proc/cpuinfo', 'utf8');
    const line = text.split('\n').find((l) => l.startsWith('flags'));
    return new Set((line?.split(':')[1] ?? '').trim().split(/\s+/));
  } catch {
    return new Set();
  }
}

/** What benchmarks print beside their numbers, so a reader knows where they were measured. */
export function describeMachine(): MachineDescription {
  const flags = cpuFlags();
  const list = cpus();
  return {
    cpu: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    simd: SIMD_FLAGS.filter((f) => flags.has(f)),
    node: process.version,
    platform: process.platform,
    arch: process.arch,
  };
}

/** A short stable key for caches of measured latencies: same CPU model, features and Node → same key. */
export function machineFingerprint(m: MachineDescription = describeMachine()): string {
  const key = JSON.stringify([m.cpu, m.cores, m.simd, m.node, m.platform, m.arch]);
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}
