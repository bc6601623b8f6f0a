/**
 * `groupnas worker --queue URL`: a long-running process that evaluates candidates for searches on
 * other hosts. It serves every run listed in Redis (run-queues.ts), one BullMQ worker per run's
 * queue, and runs each job's training on its own piscina pool — the very worker code a search
 * runs on its own host (search/evaluate), so results do not depend on where a candidate trained.
 *
 * A job, step by step: its payload is checked (evaluation-job.ts; a bad one fails with the reason
 * and the worker goes on), the groupnas version must be ours, the data set is found among this
 * host's by checksum, the teacher copied once (teacher-transfer.ts); the candidate trains in a
 * scratch directory while its progress goes to the job; the run's files come back as the result.
 *
 * Faults: BullMQ holds a lock per running job, renewed from this process's event loop (free while
 * the pool's threads train). A worker killed outright stops renewing; after `stallSeconds` another
 * worker's stalled-job check puts the job back in the queue. `stop()` stops taking jobs, lets the
 * running ones finish for a grace period, then hands the rest back to the queue at once.
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { Worker, WaitingError, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  AttemptFailed,
  datasetIdentity,
  firstLine,
  MODEL_FILE,
  startEvaluationPool,
  type DatasetIdentity,
  type EvaluationPool,
  type EvaluationPoolOptions,
  type ProgressMessage,
} from '../search/evaluate/index.js';
import { RUN_FILES, runFile, type RunRecord } from '../train/run-directory.js';
import { UsageError } from '../util/errors.js';
import { VERSION } from '../util/version.js';
import { checkJob, InvalidJob, RESULT_FORMAT, JOB_VERSION, type EvaluationJob, type EvaluationJobResult } from './evaluation-job.js';
import { failureReason } from './job-failure.js';
import { connectionLog, openRedis, redisOptions } from './redis-connection.js';
import { describeRedis, parseRedisUrl, type RedisAddress } from './redis-url.js';
import { listedRuns, runQueueName } from './run-queues.js';
import { fetchTeacher } from './teacher-transfer.js';

export interface QueueWorkerOptions {
  /** redis://[:password@]host:port[/db] or rediss://. */
  queue: string;
  /** Trainings at once on this host (default 1). */
  concurrency?: number;
  /** This host's data sets, matched to each job by checksum (the job's own `data` is tried too). */
  data?: readonly string[];
  /** Teacher copies and scratch run directories (default: <tmpdir>/groupnas-worker). */
  workDir?: string;
  /** A job whose worker stops renewing its lock for this long goes back to the queue (default 30). */
  stallSeconds?: number;
  /** On stop, running jobs get this long to finish before they are handed back (default 10). */
  graceSeconds?: number;
  /** How often the list of runs is read (default 2000 ms). */
  pollMs?: number;
  /** tfjs backend of the training threads (default `wasm`). */
  backend?: EvaluationPoolOptions['backend'];
  log?: (line: string) => void;
}

export interface QueueWorkerStats {
  completed: number;
  failed: number;
  handedBack: number;
}

const noop = () => {};
/** The data set that ships with groupnas (`data: 'embedded'`): every host has it. */
const EMBEDDED_DATA = 'embedded';
/** On stop, jobs being handed back get this long to reach Redis (it may be down) before the worker closes anyway. */
const HAND_BACK_MS = 5000;
/** Progress updates sent to Redis at most this often per job (starts and stops always go). */
const PROGRESS_EVERY_MS = 500;

export class QueueWorker {
  readonly name = `${hostname()}/${process.pid}`;
  readonly stats: QueueWorkerStats = { completed: 0, failed: 0, handedBack: 0 };
  private readonly address: RedisAddress;
  private readonly concurrency: number;
  private readonly workDir: string;
  private readonly jobsDir: string;
  private readonly log: (line: string) => void;
  private readonly redis: Redis;
  private readonly pool: EvaluationPool;
  private readonly workers = new Map<string, Worker>();
  private readonly datasets = new Map<string, DatasetIdentity | Error>();
  private readonly connection: ReturnType<typeof connectionLog>;
  private poller: NodeJS.Timeout | undefined;
  private stopping = false;
  /** Jobs being handed back by stop(): their processors move them to wait instead of failing them. */
  private handingBack = false;

  constructor(private readonly options: QueueWorkerOptions) {
    this.address = parseRedisUrl(options.queue);
    this.concurrency = options.concurrency ?? 1;
    if (!Number.isInteger(this.concurrency) || this.concurrency < 1) throw new UsageError(`concurrency: expected an integer ≥ 1, got ${this.concurrency}`);
    for (const [field, value, min] of [
      ['stallSeconds', options.stallSeconds, 1],
      ['graceSeconds', options.graceSeconds, 0],
    ] as const) {
      if (value !== undefined && !(value >= min)) throw new UsageError(`${field}: expected a number ≥ ${min}, got ${value}`);
    }
    this.log = options.log ?? noop;
    this.workDir = options.workDir ?? join(tmpdir(), 'groupnas-worker');
    // Scratch runs are this process's own: a job handed to another process on this host starts afresh there.
    this.jobsDir = join(this.workDir, 'jobs', String(process.pid));
    this.connection = connectionLog(this.address, this.log);
    this.redis = openRedis(
      this.address,
      (err) => this.connectionError(err),
      () => this.connection.recovered(),
    );
    this.pool = startEvaluationPool({ workers: this.concurrency, ...(options.backend ? { backend: options.backend } : {}), log: this.log });
  }

  /** The runs (queue ids) this worker serves now. */
  get runs(): string[] {
    return [...this.workers.keys()];
  }

  /** Start serving: reads the run list now and every `pollMs`. */
  start(): void {
    mkdirSync(this.jobsDir, { recursive: true });
    // Checksums now, before any job's lock runs: hashing a data set holds this thread for seconds,
    // and a job whose lock is not renewed meanwhile would be taken for stalled.
    for (const data of this.dataChoices()) this.identity(data);
    this.log(`worker ${this.name}: serving evaluation jobs from ${describeRedis(this.address)}, ${this.concurrency} at a time (groupnas ${VERSION})`);
    const poll = () => {
      this.followRuns().catch((err: unknown) => this.connectionError(err));
      if (!this.stopping) this.poller = setTimeout(poll, this.options.pollMs ?? 2000);
    };
    poll();
  }

  /** A connection problem, logged once per change (none once stopping: closing connections is no problem). */
  private connectionError(err: unknown): void {
    if (!this.stopping) this.connection.error(err);
  }

  /** Serve the runs listed now; stop serving the ones no longer listed. */
  private async followRuns(): Promise<void> {
    const runs = new Set(await listedRuns(this.redis));
    this.connection.recovered();
    if (this.stopping) return;
    for (const runId of runs) if (!this.workers.has(runId)) this.serve(runId);
    for (const [runId, worker] of this.workers) {
      if (runs.has(runId)) continue;
      this.workers.delete(runId);
      void worker.close().catch(noop);
    }
  }

  private serve(runId: string): void {
    const stallMs = Math.round((this.options.stallSeconds ?? 30) * 1000);
    const worker = new Worker<unknown, EvaluationJobResult>(runQueueName(runId), (job, token, signal) => this.process(job, token, signal), {
      connection: redisOptions(this.address),
      concurrency: this.concurrency,
      lockDuration: stallMs,
      stalledInterval: stallMs,
      maxStalledCount: 1,
      name: this.name,
    });
    worker.on('error', (err) => this.connectionError(err));
    worker.on('failed', (job, err) => {
      if (job !== undefined && !(err instanceof WaitingError)) this.log(`job ${job.id} of run ${runId} failed: ${firstLine(err)}`);
    });
    this.workers.set(runId, worker);
  }

  /** One job: check, train, return the run's files. A throw fails the job with `<kind>: <reason>` (job-failure.ts). */
  private async process(job: Job<unknown, EvaluationJobResult>, token: string | undefined, signal: AbortSignal | undefined): Promise<EvaluationJobResult> {
    let payload: EvaluationJob;
    try {
      payload = checkJob(job.data);
      if (payload.groupnas !== VERSION) {
        throw new InvalidJob(`the job comes from groupnas ${payload.groupnas}, this worker runs groupnas ${VERSION}; run one version on every host`);
      }
    } catch (err) {
      this.stats.failed++;
      throw new Error(failureReason('error', firstLine(err)));
    }
    const runDir = join(this.jobsDir, `${job.queueName}-${job.id}`);
    try {
      const training = await this.localTraining(payload);
      rmSync(runDir, { recursive: true, force: true });
      this.log(`job ${job.id} of ${job.queueName}: training candidate ${payload.index} (attempt ${payload.attempt})`);
      const trained = await this.train(job, payload, training, runDir, signal);
      const result: EvaluationJobResult = {
        format: RESULT_FORMAT,
        version: JOB_VERSION,
        trained: (({ modelFile: _, ...rest }) => rest)(trained),
        files: runFiles(runDir, payload),
        worker: this.name,
      };
      this.stats.completed++;
      this.log(
        `job ${job.id} of ${job.queueName}: done (trained ${trained.trainSeconds.toFixed(1)} s, test accuracy ${(100 * trained.testAccuracy).toFixed(2)}%)`,
      );
      return result;
    } catch (err) {
      if (signal?.aborted && this.handingBack && token !== undefined) {
        await job.moveToWait(token);
        this.stats.handedBack++;
        throw new WaitingError();
      }
      this.stats.failed++;
      if (err instanceof AttemptFailed) throw new Error(failureReason(err.kind, err.message));
      throw new Error(failureReason('error', firstLine(err)));
    } finally {
      rmSync(runDir, { recursive: true, force: true });
    }
  }

  /** The job's training options with this host's paths: its data set (found by checksum) and its teacher's copy. */
  private async localTraining(payload: EvaluationJob): Promise<EvaluationJob['training']> {
    const data = this.matchingData(payload);
    const d = payload.training.distillation;
    if (d === undefined || payload.teacher === undefined) return { ...payload.training, data };
    const teacher = await fetchTeacher(this.redis, payload.teacher, this.workDir);
    return { ...payload.training, data, distillation: { ...d, teacher } };
  }

  /** Which of this host's data sets holds the job's bytes: `--data` ones first, then what the job names. */
  private matchingData(payload: EvaluationJob): string {
    const seen = this.dataChoices(payload.training.data).map((data) => ({ data, identity: this.identity(data) }));
    const match = seen.find((s) => !(s.identity instanceof Error) && s.identity.checksum === payload.dataset.checksum);
    if (match !== undefined) return match.data;
    const have = seen
      .map(({ data, identity }) =>
        identity instanceof Error ? `${data}: unreadable (${identity.message})` : `${data}: ${identity.name} (sha256 ${identity.checksum.slice(0, 12)}…)`,
      )
      .join('; ');
    throw new InvalidJob(
      `the job trains on ${payload.dataset.name} (sha256 ${payload.dataset.checksum.slice(0, 12)}…), which this worker does not have — it has ${have}; ` +
        'give the worker the same data with --data DIR',
    );
  }

  /** The data sets a job may train on here: `--data` ones, then the embedded set, then what the job names. */
  private dataChoices(named?: string): string[] {
    return [...new Set([...(this.options.data ?? []), EMBEDDED_DATA, ...(named !== undefined ? [named] : [])])];
  }

  /** A data set's identity (checksum), or why it cannot be read; computed once per path. */
  private identity(data: string): DatasetIdentity | Error {
    let identity = this.datasets.get(data);
    if (identity === undefined) {
      try {
        identity = datasetIdentity(data);
      } catch (err) {
        identity = new Error(firstLine(err));
      }
      this.datasets.set(data, identity);
    }
    return identity;
  }

  /** Train on the pool, the job's progress relayed to Redis. */
  private async train(
    job: Job<unknown, EvaluationJobResult>,
    payload: EvaluationJob,
    training: EvaluationJob['training'],
    runDir: string,
    signal: AbortSignal | undefined,
  ) {
    const channel = new MessageChannel();
    const stopRelay = relayToJob(channel.port1, job);
    const release = await this.pool.slots.acquire(signal);
    try {
      return await this.pool.run(
        {
          task: { index: payload.index, arch: payload.arch, training, runDir, sourceRunDir: payload.runDir },
          attempt: payload.attempt,
          progress: channel.port2,
        },
        { ...(signal ? { signal } : {}), ...(payload.timeoutMs !== undefined ? { timeoutMs: payload.timeoutMs } : {}), transferList: [channel.port2] },
      );
    } finally {
      release();
      stopRelay();
    }
  }

  /**
   * Stop taking jobs; give the running ones `graceSeconds` to finish, then hand them back to the
   * queue (another worker starts them afresh); close the connections and the pool.
   */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    clearTimeout(this.poller);
    const workers = [...this.workers.values()];
    const graceMs = (this.options.graceSeconds ?? 10) * 1000;
    // Pausing and closing talk to Redis; with Redis gone they would wait for it forever.
    await within(graceMs, Promise.all(workers.map((w) => w.pause(true).catch(noop))));
    const finished = Promise.all(workers.map((w) => w.close().catch(noop)));
    if (!(await within(graceMs, finished))) {
      this.handingBack = true;
      for (const w of workers) w.cancelAllJobs('the worker is stopping: the job goes back to the queue');
      // Handing back needs Redis too: without it, the jobs' locks expire and the stalled-job check returns them.
      if (!(await within(HAND_BACK_MS, finished))) await closeAtOnce(workers);
    }
    await this.pool.destroy();
    this.redis.disconnect();
    rmSync(this.jobsDir, { recursive: true, force: true });
    if (existsSync(this.jobsDir)) this.log(`could not remove ${this.jobsDir}`);
  }
}

/** Drop the workers' connections without a goodbye to Redis (a close waits for Redis to answer). */
async function closeAtOnce(workers: Worker[]): Promise<void> {
  await within(HAND_BACK_MS, Promise.all(workers.map((w) => w.disconnect().catch(noop))));
}

/** Whether `work` settled within `ms`. */
async function within(ms: number, work: Promise<unknown>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([work.then(() => true), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/** A worker thread's progress, forwarded to the job (throttled: Redis need not hear every step). */
function relayToJob(port: MessagePort, job: Job): () => void {
  let last = 0;
  let pending: ProgressMessage | undefined;
  let timer: NodeJS.Timeout | undefined;
  const send = (message: ProgressMessage) => {
    last = Date.now();
    pending = undefined;
    job.updateProgress(message as unknown as object).catch(noop);
  };
  port.on('message', (message: ProgressMessage) => {
    if (message.type !== 'update') {
      clearTimeout(timer);
      if (pending !== undefined) send(pending);
      send(message);
      return;
    }
    pending = message;
    if (timer === undefined || Date.now() - last >= PROGRESS_EVERY_MS) {
      clearTimeout(timer);
      timer = setTimeout(
        () => {
          timer = undefined;
          if (pending !== undefined) send(pending);
        },
        Math.max(0, PROGRESS_EVERY_MS - (Date.now() - last)),
      );
    }
  });
  return () => {
    clearTimeout(timer);
    port.removeAllListeners('message');
    port.close();
  };
}

/**
 * The trained run's files for the search's host. run.json names the data and the teacher as the
 * search's host knows them (this host's copies hold the same bytes, checked by checksum).
 */
function runFiles(runDir: string, payload: EvaluationJob): Record<string, string> {
  const files: Record<string, string> = {};
  for (const name of [RUN_FILES.history, RUN_FILES.result, RUN_FILES.checkpoint, MODEL_FILE]) {
    const path = join(runDir, name);
    if (existsSync(path)) files[name] = readFileSync(path).toString('base64');
  }
  const record = JSON.parse(readFileSync(runFile(runDir, 'record'), 'utf8')) as RunRecord;
  files[RUN_FILES.record] = Buffer.from(`${JSON.stringify({ ...record, options: payload.training }, null, 2)}\n`).toString('base64');
  return files;
}

/** Start a worker (see QueueWorker); stop it with `stop()`. */
export function startQueueWorker(options: QueueWorkerOptions): QueueWorker {
  const worker = new QueueWorker(options);
  worker.start();
  return worker;
}
