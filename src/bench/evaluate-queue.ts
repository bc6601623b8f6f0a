/**
 * `bench evaluate-queue`: does the queue scale like the pool, and what does it cost per job? The
 * same candidates (sampled from a config's space, default configs/default.json) are trained:
 *
 *   pool, 1 worker thread       the local baseline (threads started cold, like the queue's workers)
 *   queue, 1 worker process     `groupnas worker` processes on this host, through Redis
 *   queue, 2 worker processes
 *
 * all in one run. Two workers over one says how the queue shares the cores (below 0.65× is the
 * mark, 0.5× perfect); queue over pool, per job, is what Redis, the payload checks and the files'
 * round trip add to each candidate — the cost a 10-host run pays per candidate besides training.
 * Latency is not measured here (it is the same local step either way).
 *
 * Redis: `--queue URL`, or a redis-server started here on a free loopback port (persistence off).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startQueueEvaluation, type QueueTraffic } from '../queue/index.js';
import { evaluateCandidates } from '../search/evaluate/evaluate-candidates.js';
import { evaluationTrainingOptions } from '../search/evaluate/training-options.js';
import type { Arch } from '../space/arch.js';
import { loadConfig } from '../space/config-file.js';
import type { TrainingOptions } from '../train/training-options.js';
import { NotAvailableError } from '../util/errors.js';
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
  /** A Redis to use; default: a redis-server started here. */
  queue?: string;
  progress?: ProgressReporter;
}

export interface QueueTiming {
  what: string;
  seconds: number;
  /** Cores the whole machine kept busy meanwhile, on average (this bench, its workers and anything else running). */
  busyCores: number;
  traffic?: QueueTraffic;
}

export interface EvaluateQueueBenchResult {
  config: string;
  candidates: number;
  training: TrainingOptions;
  pool: QueueTiming;
  one: QueueTiming;
  two: QueueTiming;
  /** Two worker processes' wall time over one's. */
  ratio: number;
  /** (queue, 1 worker − pool, 1 worker) / candidates: what the queue adds to a job. */
  overheadPerJobSeconds: number;
  loadAverage: { before: number; after: number };
  machine: MachineDescription;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const exited = (c: ChildProcess) => (c.exitCode !== null || c.signalCode !== null ? Promise.resolve() : new Promise((r) => c.once('exit', r)));

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a !== null ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

/** A throw-away redis-server (persistence off) and its URL. */
async function startRedis(dir: string): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
  const failed = new Promise<never>((_, reject) =>
    child.once('error', () =>
      reject(new NotAvailableError('bench evaluate-queue: redis-server is not installed (apt-get install redis-server), or give --queue URL')),
    ),
  );
  await Promise.race([failed, sleep(500)]);
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: async () => {
      child.kill('SIGTERM');
      await exited(child);
    },
  };
}

function startWorkers(url: string, count: number, workDir: string): ChildProcess[] {
  return Array.from({ length: count }, () =>
    spawn(process.execPath, [join(PACKAGE_ROOT, 'bin', 'groupnas.js'), 'worker', '--queue', url, '--grace-seconds', '0', '--work-dir', workDir], {
      stdio: 'ignore',
    }),
  );
}

async function timed(what: string, run: () => Promise<{ failed: number[]; traffic?: QueueTraffic }>): Promise<QueueTiming> {
  const busy = machineBusyMs();
  const start = performance.now();
  const out = await run();
  const seconds = (performance.now() - start) / 1000;
  if (out.failed.length > 0) throw new Error(`bench evaluate-queue: ${what}: candidates ${out.failed.join(', ')} failed`);
  return { what, seconds, busyCores: (machineBusyMs() - busy) / 1000 / seconds, ...(out.traffic ? { traffic: out.traffic } : {}) };
}

async function timeQueue(url: string, archs: Arch[], training: TrainingOptions, workers: number, progress: ProgressReporter): Promise<QueueTiming> {
  const dir = mkdtempSync(join(tmpdir(), `groupnas-bench-queue-${workers}-`));
  const procs = startWorkers(url, workers, join(dir, 'workers'));
  try {
    await sleep(1000); // the processes start (their threads start with their first job, as the pool's here)
    return await timed(`queue, ${workers} worker process${workers > 1 ? 'es' : ''}`, async () => {
      const runner = startQueueEvaluation({ queue: url, dir, checkEveryMs: 1000 });
      try {
        const out = await evaluateCandidates(archs, { dir: join(dir, 'evaluation'), training, pool: runner, latency: false, progress });
        return { failed: out.failed, traffic: { ...runner.traffic } };
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

export async function benchEvaluateQueue(options: EvaluateQueueBenchOptions = {}): Promise<EvaluateQueueBenchResult> {
  const configFile = options.config ?? join(PACKAGE_ROOT, 'configs', 'default.json');
  const config = loadConfig(configFile);
  const archs = distinctCandidates(config, options.candidates ?? 4);
  // No teacher: distillation adds the same per-step cost everywhere.
  const training = { ...evaluationTrainingOptions(config), ...(options.epochs !== undefined ? { epochs: options.epochs } : {}) };
  const progress = options.progress ?? silentProgress;
  const scratch = mkdtempSync(join(tmpdir(), 'groupnas-bench-queue-'));
  const redis = options.queue !== undefined ? { url: options.queue, stop: async () => {} } : await startRedis(scratch);
  const before = loadavg()[0]!;
  try {
    const pool = await timed('pool, 1 worker thread', async () => {
      const out = await evaluateCandidates(archs, { dir: join(scratch, 'pool'), training, workers: 1, latency: false, progress });
      return { failed: out.failed };
    });
    const one = await timeQueue(redis.url, archs, training, 1, progress);
    const two = await timeQueue(redis.url, archs, training, 2, progress);
    return {
      config: configFile,
      candidates: archs.length,
      training,
      pool,
      one,
      two,
      ratio: two.seconds / one.seconds,
      overheadPerJobSeconds: (one.seconds - pool.seconds) / archs.length,
      loadAverage: { before, after: loadavg()[0]! },
      machine: describeMachine(),
    };
  } finally {
    await redis.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

export function formatEvaluateQueueReport(r: EvaluateQueueBenchResult): string {
  const row = (t: QueueTiming) => `${t.what.padEnd(26)} ${t.seconds.toFixed(1).padStart(8)} s   machine's busy cores ${t.busyCores.toFixed(2)}`;
  const t = r.one.traffic;
  const kib = (bytes: number, n: number) => `${(bytes / Math.max(1, n) / 1024).toFixed(1)} KiB`;
  return [
    `candidate evaluation through the queue: ${r.candidates} candidates of ${r.config} (${r.training.limit ?? 'all'} images, ${r.training.epochs} epoch(s)) — ` +
      `${r.machine.cpu}, ${r.machine.cores} cores, load ${r.loadAverage.before.toFixed(2)} → ${r.loadAverage.after.toFixed(2)}`,
    row(r.pool),
    row(r.one),
    row(r.two),
    `two worker processes / one: ${r.ratio.toFixed(2)}× (accepted: < 0.65×)`,
    `queue overhead per job (queue 1 worker − pool 1 worker, per candidate): ${r.overheadPerJobSeconds.toFixed(2)} s`,
    ...(t
      ? [
          `payload per job: ${kib(t.jobBytes, t.jobs)} sent, ${kib(t.resultBytes, t.results)} returned (the run's files: model.gnb, checkpoint, history, result)`,
        ]
      : []),
  ].join('\n');
}
