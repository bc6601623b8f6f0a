/**
 * `bench evaluate-queue`: does the queue scale like the pool, and what does it cost per job? The
 * same candidates (sampled from a config's space, default configs/default.json) are trained:
 *
 *   pool, 1 worker thread       the local baseline (threads started cold, like the queue's workers)
 *   queue, 1 worker process     `groupnas worker` processes on this host, through Redis
 *   queue, 2 worker processes   (1 and 2 alternate for `rounds` rounds: on a shared machine the
 *                               load drifts, so each ratio compares neighbours)
 *
 * all in one run. Two workers over one says how the queue shares the cores (below 0.65× is the
 * mark, 0.5× perfect). What the queue adds to a job is taken apart from training: per candidate,
 * wall time minus the seconds it trained (which a loaded machine stretches alike for both), queue
 * minus pool — Redis, the payload checks, a worker process instead of a thread, the files' round
 * trip: the cost a 10-host run pays per candidate besides training, with the payload sizes.
 * Latency is not measured here (it is the same local step either way).
 *
 * Redis: `--queue URL`, or a redis-server started here on a free loopback port (persistence off).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalRedis, startQueueEvaluation, type QueueTraffic } from '../queue/index.js';
import { evaluateCandidates, type EvaluationOutcome } from '../search/evaluate/evaluate-candidates.js';
import { evaluationTrainingOptions } from '../search/evaluate/training-options.js';
import type { Arch } from '../space/arch.js';
import { loadConfig } from '../space/config-file.js';
import type { TrainingOptions } from '../train/training-options.js';
import { describeMachine, type MachineDescription } from '../util/machine.js';
import { silentProgress, type ProgressReporter } from '../util/progress.js';
import { PACKAGE_ROOT } from '../util/version.js';
import { distinctCandidates, machineBusyMs } from './evaluate-pool.js';

export interface EvaluateQueueBenchOptions {
  /** Search config whose space and training schedule the candidates take (default configs/default.json). */
  config?: string;
  candidates?: number;
  /** Training epochs per candidate (default: the config's evaluation.epochs). */
  epochs?: number;
  /** Training images per candidate (default: the config's). */
  limit?: number;
  /** A Redis to use; default: a redis-server started here. */
  queue?: string;
  /** Rounds of one worker process then two (default 1); the ratio is their median. */
  rounds?: number;
  progress?: ProgressReporter;
}

export interface QueueTiming {
  what: string;
  seconds: number;
  /** Sum over candidates of the seconds each trained (in its worker thread): the part of `seconds` that is not overhead. */
  trainSeconds: number;
  /** Cores the whole machine kept busy meanwhile, on average (this bench, its workers and anything else running). */
  busyCores: number;
  traffic?: QueueTraffic;
}

export interface EvaluateQueueBenchResult {
  config: string;
  candidates: number;
  training: TrainingOptions;
  pool: QueueTiming;
  /** Round r: one worker process, then two. */
  rounds: { one: QueueTiming; two: QueueTiming; ratio: number }[];
  /** Median over rounds of two worker processes' wall time over one's. */
  ratio: number;
  /** Per candidate, seconds not spent training (wall − Σ train, over candidates): pool, queue (first round's one worker), and their difference. */
  otherPerJobSeconds: { pool: number; queue: number };
  overheadPerJobSeconds: number;
  loadAverage: { before: number; after: number };
  machine: MachineDescription;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const exited = (c: ChildProcess) => (c.exitCode !== null || c.signalCode !== null ? Promise.resolve() : new Promise((r) => c.once('exit', r)));

function startWorkers(url: string, count: number, workDir: string): ChildProcess[] {
  return Array.from({ length: count }, () =>
    spawn(process.execPath, [join(PACKAGE_ROOT, 'bin', 'groupnas.js'), 'worker', '--queue', url, '--grace-seconds', '0', '--work-dir', workDir], {
      stdio: 'ignore',
    }),
  );
}

async function timed(what: string, run: () => Promise<{ outcome: EvaluationOutcome; traffic?: QueueTraffic }>): Promise<QueueTiming> {
  const busy = machineBusyMs();
  const start = performance.now();
  const { outcome, traffic } = await run();
  const seconds = (performance.now() - start) / 1000;
  if (outcome.failed.length > 0) throw new Error(`bench evaluate-queue: ${what}: candidates ${outcome.failed.join(', ')} failed`);
  const trainSeconds = outcome.record.candidates.reduce((sum, c) => sum + (c.result?.trainSeconds ?? 0), 0);
  return { what, seconds, trainSeconds, busyCores: (machineBusyMs() - busy) / 1000 / seconds, ...(traffic ? { traffic } : {}) };
}

async function timeQueue(url: string, archs: Arch[], training: TrainingOptions, workers: number, progress: ProgressReporter): Promise<QueueTiming> {
  const dir = mkdtempSync(join(tmpdir(), `groupnas-bench-queue-${workers}-`));
  const procs = startWorkers(url, workers, join(dir, 'workers'));
  try {
    await sleep(1000); // the processes start (their threads start with their first job, as the pool's here)
    return await timed(`queue, ${workers} worker process${workers > 1 ? 'es' : ''}`, async () => {
      const runner = startQueueEvaluation({ queue: url, dir, checkEveryMs: 1000 });
      try {
        const outcome = await evaluateCandidates(archs, { dir: join(dir, 'evaluation'), training, pool: runner, latency: false, progress });
        return { outcome, traffic: { ...runner.traffic } };
      } finally {
        await runner.destroy();
      }
    });
  } finally {
    for (const p of procs) p.kill('SIGTERM');
    await Promise.all(procs.map(exited));
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
const otherPerJob = (t: QueueTiming, candidates: number) => (t.seconds - t.trainSeconds) / candidates;

/** The bench's figures from its timings: the median ratio, and per candidate what is not training, pool against queue. */
export function queueBenchFigures(
  pool: QueueTiming,
  rounds: EvaluateQueueBenchResult['rounds'],
  candidates: number,
): Pick<EvaluateQueueBenchResult, 'ratio' | 'otherPerJobSeconds' | 'overheadPerJobSeconds'> {
  const otherPerJobSeconds = { pool: otherPerJob(pool, candidates), queue: otherPerJob(rounds[0]!.one, candidates) };
  return {
    ratio: median(rounds.map((r) => r.ratio)),
    otherPerJobSeconds,
    overheadPerJobSeconds: otherPerJobSeconds.queue - otherPerJobSeconds.pool,
  };
}

export async function benchEvaluateQueue(options: EvaluateQueueBenchOptions = {}): Promise<EvaluateQueueBenchResult> {
  const configFile = options.config ?? join(PACKAGE_ROOT, 'configs', 'default.json');
  const config = loadConfig(configFile);
  const archs = distinctCandidates(config, options.candidates ?? 4);
  // No teacher: distillation adds the same per-step cost everywhere.
  const training = {
    ...evaluationTrainingOptions(config),
    ...(options.epochs !== undefined ? { epochs: options.epochs } : {}),
    ...(options.limit !== undefined ? { limit: options.limit } : {}),
  };
  const progress = options.progress ?? silentProgress;
  const scratch = mkdtempSync(join(tmpdir(), 'groupnas-bench-queue-'));
  const redis = options.queue !== undefined ? { url: options.queue, stop: async () => {} } : await startLocalRedis();
  const before = loadavg()[0]!;
  try {
    const pool = await timed('pool, 1 worker thread', async () => ({
      outcome: await evaluateCandidates(archs, { dir: join(scratch, 'pool'), training, workers: 1, latency: false, progress }),
    }));
    const rounds: EvaluateQueueBenchResult['rounds'] = [];
    for (let r = 0; r < (options.rounds ?? 1); r++) {
      const one = await timeQueue(redis.url, archs, training, 1, progress);
      const two = await timeQueue(redis.url, archs, training, 2, progress);
      rounds.push({ one, two, ratio: two.seconds / one.seconds });
    }
    return {
      config: configFile,
      candidates: archs.length,
      training,
      pool,
      rounds,
      ...queueBenchFigures(pool, rounds, archs.length),
      loadAverage: { before, after: loadavg()[0]! },
      machine: describeMachine(),
    };
  } finally {
    await redis.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

export function formatEvaluateQueueReport(r: EvaluateQueueBenchResult): string {
  const row = (t: QueueTiming) =>
    `${t.what.padEnd(26)} ${t.seconds.toFixed(1).padStart(8)} s   training ${t.trainSeconds.toFixed(1).padStart(7)} s   machine's busy cores ${t.busyCores.toFixed(2)}`;
  const t = r.rounds[0]!.one.traffic;
  const kib = (bytes: number, n: number) => `${(bytes / Math.max(1, n) / 1024).toFixed(1)} KiB`;
  return [
    `candidate evaluation through the queue: ${r.candidates} candidates of ${r.config} (${r.training.limit ?? 'all'} images, ${r.training.epochs} epoch(s)) — ` +
      `${r.machine.cpu}, ${r.machine.cores} cores, load ${r.loadAverage.before.toFixed(2)} → ${r.loadAverage.after.toFixed(2)}`,
    row(r.pool),
    ...r.rounds.flatMap((round, i) => [row(round.one), row(round.two), `  round ${i + 1}: two worker processes / one ${round.ratio.toFixed(2)}×`]),
    `two worker processes / one: ${r.ratio.toFixed(2)}×${r.rounds.length > 1 ? ` (median of ${r.rounds.length} rounds)` : ''} (accepted: < 0.65×)`,
    `per candidate, seconds besides training: pool ${r.otherPerJobSeconds.pool.toFixed(2)} s, queue ${r.otherPerJobSeconds.queue.toFixed(2)} s — ` +
      `the queue adds ${r.overheadPerJobSeconds.toFixed(2)} s per job`,
    ...(t
      ? [
          `payload per job: ${kib(t.jobBytes, t.jobs)} sent, ${kib(t.resultBytes, t.results)} returned (the run's files: model.gnb, checkpoint, history, result)`,
        ]
      : []),
  ].join('\n');
}
