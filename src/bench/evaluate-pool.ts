/**
 * `bench evaluate-pool`: does the evaluation pool use the cores? Four candidates of the tiny
 * config are evaluated (train, test, pack, time) with one worker, then with two, in one run;
 * the ratio of wall times says how well two workers share the cores (below 0.65× one is good;
 * 0.5× is perfect).
 *
 * Each pool is started and warmed up (evaluation-pool.ts, warm-up.ts) before its timer starts,
 * because that is how `groupnas search` runs it: its pool starts with the supernet phase and is
 * warm long before the first candidate. The warm-up's own wall time is reported beside.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluateCandidates } from '../search/evaluate/evaluate-candidates.js';
import { startEvaluationPool } from '../search/evaluate/evaluation-pool.js';
import { searchWarmUp, type WarmUp } from '../search/evaluate/warm-up.js';
import { evaluationTrainingOptions } from '../search/evaluate/training-options.js';
import type { Arch } from '../space/arch.js';
import { loadConfig } from '../space/config-file.js';
import { spaceFromConfig } from '../space/config-space.js';
import type { SearchConfig } from '../space/config.js';
import type { TrainingOptions } from '../train/training-options.js';
import { UsageError } from '../util/errors.js';
import { describeMachine, type MachineDescription } from '../util/machine.js';
import { silentProgress, type ProgressReporter } from '../util/progress.js';
import { createRng } from '../util/random.js';
import { PACKAGE_ROOT } from '../util/version.js';

export interface EvaluatePoolBenchOptions {
  /** Search config whose space the candidates come from (default configs/tiny.json). */
  config?: string;
  candidates?: number;
  progress?: ProgressReporter;
}

export interface PoolTiming {
  workers: number;
  /** Wall time from starting the pool until every worker reported warm (not in `seconds`). */
  warmUpSeconds: number;
  /** Wall time of the whole evaluation of warm workers (training, latency). */
  seconds: number;
  /** Wall time of the pool phase alone (the part workers can share). */
  poolSeconds: number;
  /** Wall time of the latency phase (serial by design: one candidate at a time, no other work). */
  latencySeconds: number;
  /** Sum over candidates of the seconds each spent training in its worker: grows with the worker count when workers slow each other down. */
  trainSeconds: number;
  /** CPU time of this process, all threads: cpuSeconds / seconds = cores it actually got (2 workers on a busy machine get fewer than 2). */
  cpuSeconds: number;
  /** Cores that other processes kept busy meanwhile, on average: they take cores from the workers. */
  otherCores: number;
}

export interface EvaluatePoolBenchResult {
  config: string;
  candidates: string[];
  training: TrainingOptions;
  one: PoolTiming;
  two: PoolTiming;
  /** Two workers' wall time over one worker's (0.5 is perfect scaling; below 0.65 is the mark aimed at). */
  ratio: number;
  poolRatio: number;
  /** 1-minute load average before and after: the cores may be shared with other work. */
  loadAverage: { before: number; after: number };
  machine: MachineDescription;
}

/** Milliseconds all cores of the machine have been busy (any process) since boot. */
export function machineBusyMs(): number {
  return cpus().reduce((sum, c) => sum + c.times.user + c.times.nice + c.times.sys + c.times.irq, 0);
}

/** `count` distinct architectures of the config's space, sampled with a fixed seed. */
export function distinctCandidates(config: SearchConfig, count: number): Arch[] {
  const space = spaceFromConfig(config);
  const rng = createRng('bench-evaluate-pool');
  const seen = new Map<string, Arch>();
  for (let tries = 0; seen.size < count && tries < 1000; tries++) {
    const arch = space.sample(rng);
    seen.set(JSON.stringify(arch), arch);
  }
  if (seen.size < count) throw new UsageError(`search space ${space.name}: fewer than ${count} distinct architectures`);
  return [...seen.values()].map((a, i) => ({ ...a, name: `${config.name}/bench-${i}` }));
}

async function timePool(
  candidates: Arch[],
  training: TrainingOptions,
  warmUp: WarmUp,
  workers: number,
  latencyRepeats: number,
  progress: ProgressReporter,
): Promise<PoolTiming> {
  const dir = mkdtempSync(join(tmpdir(), `groupnas-bench-pool-${workers}-`));
  const warmUpStart = performance.now();
  const pool = startEvaluationPool({ workers, warmUp });
  try {
    const failed = (await pool.whenReady()).filter((r) => r.backendError !== undefined || r.warmUpError !== undefined);
    if (failed.length > 0) throw new Error(`bench evaluate-pool: a worker could not warm up: ${failed.map((r) => r.backendError ?? r.warmUpError).join('; ')}`);
    const warmUpSeconds = (performance.now() - warmUpStart) / 1000;
    const start = performance.now();
    const cpu = process.cpuUsage();
    const busy = machineBusyMs();
    const out = await evaluateCandidates(candidates, {
      dir,
      training,
      pool,
      latency: { timing: { warmUpSeconds: 0.05, seconds: 0.05, minRepeats: latencyRepeats } },
      progress,
    });
    if (out.failed.length > 0) {
      const reasons = out.failed.map((i) => `candidate ${i}: ${out.record.candidates[i]!.reason}`).join('; ');
      throw new Error(`bench evaluate-pool: candidates failed with ${workers} worker(s): ${reasons}`);
    }
    const used = process.cpuUsage(cpu);
    const seconds = (performance.now() - start) / 1000;
    const cpuSeconds = (used.user + used.system) / 1e6;
    return {
      workers,
      warmUpSeconds,
      seconds,
      poolSeconds: out.trainingSeconds,
      latencySeconds: out.latencySeconds,
      trainSeconds: out.record.candidates.reduce((sum, c) => sum + c.result!.trainSeconds, 0),
      cpuSeconds,
      otherCores: Math.max(0, ((machineBusyMs() - busy) / 1000 - cpuSeconds) / seconds),
    };
  } finally {
    await pool.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchEvaluatePool(options: EvaluatePoolBenchOptions = {}): Promise<EvaluatePoolBenchResult> {
  const configFile = options.config ?? join(PACKAGE_ROOT, 'configs', 'tiny.json');
  const config = loadConfig(configFile);
  const candidates = distinctCandidates(config, options.candidates ?? 4);
  // No teacher: distillation adds the same per-step cost to both worker counts.
  const training = evaluationTrainingOptions(config);
  const progress = options.progress ?? silentProgress;
  // What `groupnas search` warms its workers with (the teacher aside, as here).
  const warmUp = searchWarmUp(config);
  const before = loadavg()[0]!;
  const one = await timePool(candidates, training, warmUp, 1, config.evaluation.latencyRepeats, progress);
  const two = await timePool(candidates, training, warmUp, 2, config.evaluation.latencyRepeats, progress);
  return {
    config: configFile,
    candidates: candidates.map((a) => `K=[${a.bases.join(',')}] ${a.connections.join('/') || 'one group'}`),
    training,
    one,
    two,
    ratio: two.seconds / one.seconds,
    poolRatio: two.poolSeconds / one.poolSeconds,
    loadAverage: { before, after: loadavg()[0]! },
    machine: describeMachine(),
  };
}

export function formatEvaluatePoolReport(r: EvaluatePoolBenchResult): string {
  const s = (x: number) => `${x.toFixed(2).padStart(8)} s`;
  const row = (t: PoolTiming) =>
    `${String(t.workers).padStart(7)}   ${s(t.seconds)}   ${s(t.poolSeconds)}   ${s(t.latencySeconds)}   ${s(t.trainSeconds)}   ` +
    `${(t.cpuSeconds / t.seconds).toFixed(2).padStart(10)}   ${t.otherCores.toFixed(2).padStart(12)}   ${s(t.warmUpSeconds)}`;
  return [
    `evaluation pool: ${r.candidates.length} candidates of ${r.config} (${r.training.limit ?? 'all'} images, ${r.training.epochs} epoch(s)) — ` +
      `${r.machine.cpu}, ${r.machine.cores} cores, load ${r.loadAverage.before.toFixed(2)} → ${r.loadAverage.after.toFixed(2)}`,
    'pools of 1 and of 2 workers, each started and warmed up before its timer (as groupnas search starts its pool during the supernet phase)',
    "workers      total         pool      latency   Σ training   cores used   others' cores   warm-up (untimed)",
    row(r.one),
    row(r.two),
    `two workers / one: ${r.ratio.toFixed(2)}× total, ${r.poolRatio.toFixed(2)}× pool (accepted: < 0.65×); each candidate trained ` +
      `${(r.two.trainSeconds / r.one.trainSeconds).toFixed(2)}× as long beside another`,
  ].join('\n');
}
