import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkJob, JOB_FORMAT, JOB_VERSION, type EvaluationJob } from '../../src/queue/evaluation-job.js';
import { startQueueEvaluation, type QueueEvaluation } from '../../src/queue/queue-evaluation.js';
import { startQueueWorker, type QueueWorker } from '../../src/queue/queue-worker.js';
import { announceRun, runQueueId, runQueueName } from '../../src/queue/run-queues.js';
import { EvaluationInterrupted, evaluateCandidates } from '../../src/search/evaluate/evaluate-candidates.js';
import type { CandidateRecord, EvaluationRecord } from '../../src/search/evaluate/evaluation-file.js';
import { datasetIdentity } from '../../src/search/evaluate/task-inputs.js';
import { buildPreset } from '../../src/space/presets.js';
import type { ProgressReporter } from '../../src/util/progress.js';
import { PACKAGE_ROOT, VERSION } from '../../src/util/version.js';
import { ensureBuilt } from '../helpers/ensure-built.js';
import { HAVE_REDIS, startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { tinyTraining } from '../helpers/tiny-training.js';
import { malformedJobs } from './malformed-jobs.js';

// Tiny on purpose: 128 images, 4 steps, width 0.125 — each task takes a second or two.
const training = tinyTraining({ limit: 128, seed: 5, checkpointEverySteps: 1 });
const archs = ['groupnet-k1', 'groupnet-k3'].map((p) => buildPreset(p, { widthMultiplier: 0.125 }));
const tmp = () => mkdtempSync(join(tmpdir(), 'gn-queue-'));

let redis: RedisServer;
/** The local pool's results: what the queue's must equal. */
let reference: EvaluationRecord;

beforeAll(async () => {
  if (!HAVE_REDIS) return;
  ensureBuilt(); // the workers' threads run dist/ (see search/evaluate/worker-file.ts)
  redis = await startRedisServer();
  // in <tmp>/evaluation like the queue's: the packed model names its run directory, so equal paths give equal bytes
  reference = (await evaluateCandidates(archs, { dir: join(tmp(), 'evaluation'), training, workers: 1, latency: false })).record;
}, 600_000); // builds dist/ when stale, then the local pool's reference: minutes on a loaded machine

afterAll(async () => {
  await redis?.stop();
});

const metrics = (c: CandidateRecord) => ({
  status: c.status,
  testAccuracy: c.result?.testAccuracy,
  testLoss: c.result?.testLoss,
  costs: c.result?.costs,
  modelBytes: c.result?.modelBytes,
  curve: c.result?.history.map(({ seconds: _, ...rest }) => rest),
});

function workers(count: number, extra: { stallSeconds?: number } = {}): QueueWorker[] {
  return Array.from({ length: count }, () => startQueueWorker({ queue: redis.url, workDir: tmp(), pollMs: 100, graceSeconds: 0, ...extra }));
}

/** A progress reporter that calls `onTraining` once, at the first training step of any candidate. */
function onFirstStep(onTraining: () => void): ProgressReporter {
  let fired = false;
  return {
    start: (label) => ({
      update: (done) => {
        if (!fired && / train$/.test(label) && done > 0) {
          fired = true;
          onTraining();
        }
      },
      stop: () => {},
    }),
  };
}

/** A well-formed job for run `runId` (for pushing by hand). */
function handMadeJob(runDir: string, overrides: Partial<EvaluationJob> = {}): EvaluationJob {
  const d = datasetIdentity(training.data);
  return {
    format: JOB_FORMAT,
    version: JOB_VERSION,
    groupnas: VERSION,
    index: 0,
    attempt: 1,
    arch: archs[0]!,
    training,
    dataset: { name: d.name, checksum: d.checksum },
    runDir,
    ...overrides,
  };
}

async function failedReasons(queue: Queue, ids: string[]): Promise<string[]> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const states = await Promise.all(ids.map((id) => queue.getJobState(id)));
    if (states.every((s) => s === 'failed' || s === 'completed')) break;
    if (Date.now() > deadline) throw new Error(`jobs still ${states.join(', ')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return Promise.all(ids.map(async (id) => (await queue.getJob(id))!.failedReason));
}

describe.skipIf(!HAVE_REDIS)('evaluation through a BullMQ queue on a real redis-server', () => {
  it('two workers give the local pool results (accuracy, loss, costs, model bytes), the run files laid out here', async () => {
    const ws = workers(2);
    const dir = tmp();
    const runner = startQueueEvaluation({ queue: redis.url, dir });
    try {
      const out = await evaluateCandidates(archs, { dir: join(dir, 'evaluation'), training, pool: runner, latency: false });
      expect(out.record.candidates.map(metrics)).toEqual(reference.candidates.map(metrics));
      for (const c of out.record.candidates) {
        for (const file of ['run.json', 'history.json', 'result.json', 'checkpoint.gnck', 'model.gnb']) {
          expect(existsSync(join(dir, 'evaluation', c.result!.runDir, file)), file).toBe(true);
        }
      }
      // the record names this host's paths, not the worker's scratch ones
      const record = JSON.parse(readFileSync(join(dir, 'evaluation', 'candidates', '0', 'run.json'), 'utf8')) as { options: unknown };
      expect(record.options).toEqual(training);
      expect(ws.reduce((n, w) => n + w.stats.completed, 0)).toBe(2);
    } finally {
      await runner.destroy();
      await Promise.all(ws.map((w) => w.stop()));
    }
  }, 400_000);

  it('malformed payloads pushed straight into the queue fail with their reason; the worker goes on serving', async () => {
    const [w] = workers(1);
    const dir = tmp();
    const runId = runQueueId(dir);
    const client = new Redis(redis.url);
    const queue = new Queue(runQueueName(runId), { connection: { host: '127.0.0.1', port: redis.port } });
    try {
      await announceRun(client, runId);
      // the fifty malformed ones (each fails before any training: milliseconds), one from another version, one on data the worker lacks
      const bad = malformedJobs(handMadeJob(dir));
      const otherVersion = handMadeJob(dir, { groupnas: '0.0.0-other' });
      const otherData = handMadeJob(dir, { dataset: { name: 'somebody-elses', checksum: 'f'.repeat(64) } });
      const payloads = [...bad.map((b) => b.payload), otherVersion, otherData];
      const ids = await Promise.all(payloads.map(async (data, i) => (await queue.add('evaluate', data, { jobId: `bad-${i}` })).id!));
      const reasons = await failedReasons(queue, ids);
      expect(
        reasons.slice(0, bad.length).every((r) => /^error: the job's payload/.test(r)),
        reasons.join('\n'),
      ).toBe(true);
      expect(reasons[bad.length]).toBe(`error: the job comes from groupnas 0.0.0-other, this worker runs groupnas ${VERSION}; run one version on every host`);
      expect(reasons[bad.length + 1]).toMatch(
        /^error: the job trains on somebody-elses \(sha256 ffffffffffff…\), which this worker does not have — it has embedded: .+ \(sha256 [0-9a-f]{12}…\); give the worker the same data with --data DIR$/,
      );
      expect(checkJob(JSON.parse(JSON.stringify(handMadeJob(dir))))).toBeDefined();
      // still serving: a good evaluation goes through the same worker
      const runner = startQueueEvaluation({ queue: redis.url, dir });
      try {
        const out = await evaluateCandidates(archs.slice(0, 1), { dir: join(dir, 'evaluation'), training, pool: runner, latency: false });
        expect(metrics(out.record.candidates[0]!)).toEqual(metrics(reference.candidates[0]!));
      } finally {
        await runner.destroy();
      }
      expect(w!.stats).toEqual({ completed: 1, failed: payloads.length, handedBack: 0 });
    } finally {
      await queue.close();
      client.disconnect();
      await w!.stop();
    }
  }, 300_000);

  it('a worker process SIGKILLed mid-training: its job goes back to the queue and the other worker finishes it, once', async () => {
    const logs: string[] = [];
    const spawnWorker = (): ChildProcess => {
      const child = spawn(
        process.execPath,
        [join(PACKAGE_ROOT, 'bin', 'groupnas.js'), 'worker', '--queue', redis.url, '--stall-seconds', '15', '--grace-seconds', '0', '--work-dir', tmp()],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      child.stderr!.on('data', (b: Buffer) => logs.push(b.toString()));
      return child;
    };
    const children = [spawnWorker(), spawnWorker()];
    const dir = tmp();
    const runner = startQueueEvaluation({ queue: redis.url, dir, checkEveryMs: 500 });
    const queue = new Queue(runner.queueName, { connection: { host: '127.0.0.1', port: redis.port } });
    let killed: number | undefined;
    try {
      const slow = { ...training, limit: 512 };
      const out = await evaluateCandidates(archs.slice(1), {
        dir: join(dir, 'evaluation'),
        training: slow,
        pool: runner,
        latency: false,
        progress: onFirstStep(() => {
          void (async () => {
            const job = await queue.getJob('evaluation-candidates-0');
            killed = Number(job!.processedBy!.split('/').pop());
            process.kill(killed, 'SIGKILL');
          })();
        }),
      });
      expect(killed).toBeDefined();
      const c = out.record.candidates[0]!;
      expect(c.status).toBe('done');
      expect(c.failures).toEqual([]); // a stalled job is put back by BullMQ, not failed
      expect(c.result!.modelBytes).toBeGreaterThan(0);
    } finally {
      await queue.close();
      await runner.destroy();
      for (const child of children) if (child.pid !== killed) child.kill('SIGTERM');
      await Promise.all(
        children.map((child) => (child.exitCode !== null || child.signalCode !== null ? undefined : new Promise((r) => child.once('exit', r)))),
      );
    }
    expect(logs.join('')).toMatch(/worker stopped: 1 jobs completed, 0 failed, 0 handed back/);
  }, 600_000); // two CLI processes start and the job waits out a stall: minutes on a loaded machine

  it('a search stopped mid-evaluation and resumed collects the job that finished meanwhile, without training it again', async () => {
    const [w] = workers(1);
    const dir = tmp();
    const evalDir = join(dir, 'evaluation');
    try {
      const stop = new AbortController();
      const first = startQueueEvaluation({ queue: redis.url, dir });
      await expect(
        evaluateCandidates(archs.slice(0, 1), {
          dir: evalDir,
          training,
          pool: first,
          latency: false,
          signal: stop.signal,
          progress: onFirstStep(() => stop.abort()),
        }),
      ).rejects.toThrow(EvaluationInterrupted);
      await first.destroy(); // the run is no longer listed: the worker finishes what it holds, takes nothing more
      while (w!.stats.completed === 0) await new Promise((r) => setTimeout(r, 100));
      const second = startQueueEvaluation({ queue: redis.url, dir });
      try {
        const out = await evaluateCandidates(archs.slice(0, 1), { dir: evalDir, training, pool: second, latency: false });
        expect(metrics(out.record.candidates[0]!)).toEqual(metrics(reference.candidates[0]!));
      } finally {
        await second.destroy();
      }
      expect(w!.stats.completed).toBe(1);
    } finally {
      await w!.stop();
    }
  }, 300_000);

  it('a worker stops on request even when its Redis is gone (it hands back what it can, and does not wait for Redis)', async () => {
    const own = await startRedisServer();
    const w = startQueueWorker({ queue: own.url, workDir: tmp(), pollMs: 100, graceSeconds: 0 });
    const client = new Redis(own.url);
    try {
      const runId = runQueueId(tmp());
      await announceRun(client, runId);
      while (w.runs.length === 0) await new Promise((r) => setTimeout(r, 50));
      expect(w.runs).toEqual([runId]);
    } finally {
      client.disconnect();
      await own.stop(true);
    }
    await w.stop();
    expect(w.stats).toEqual({ completed: 0, failed: 0, handedBack: 0 });
  }, 60_000);

  it('Redis restarted (empty) mid-training: the lost job is sent again and the evaluation completes', async () => {
    const ws = workers(2);
    const dir = tmp();
    const runner = startQueueEvaluation({ queue: redis.url, dir, checkEveryMs: 500 });
    const lines: string[] = [];
    try {
      const out = await evaluateCandidates(archs.slice(0, 1), {
        dir: join(dir, 'evaluation'),
        training,
        pool: runner,
        latency: false,
        log: (l) => lines.push(l),
        progress: onFirstStep(() => void redis.restart()),
      });
      expect(metrics(out.record.candidates[0]!)).toEqual(metrics(reference.candidates[0]!));
    } finally {
      await runner.destroy();
      await Promise.all(ws.map((w) => w.stop()));
    }
  }, 400_000);
});
