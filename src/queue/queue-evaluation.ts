/**
 * The search's side of the queue: a CandidateRunner (search/evaluate/candidate-runner.ts) whose
 * attempts are BullMQ jobs, taken by `groupnas worker` processes on any host. evaluateCandidates
 * drives it exactly as it drives the local pool — same attempts, retries, evaluation.json — and
 * each finished job's run files are laid out in the candidate's run directory here, so the run
 * directory looks as if the candidate had trained on this host.
 *
 * Jobs are named after their run directory (`evaluation-candidates-3`), in the run's own queue
 * (run-queues.ts), and stay in Redis until this side has recorded them. So a search killed and
 * resumed finds them again: a job finished meanwhile is collected, not redone; a running one is
 * awaited; one that Redis lost (a restart without persistence) is sent again — every awaited job's
 * state is looked at every few seconds, so a lost one is noticed even though no event says so.
 */
import { mkdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  firstLine,
  datasetIdentity,
  WorkerSlots,
  MODEL_FILE,
  type CandidateRunner,
  type DatasetIdentity,
  type ProgressMessage,
  type RunAttemptOptions,
  type TrainedCandidate,
  type WorkerTask,
} from '../search/evaluate/index.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { VERSION } from '../util/version.js';
import { checkJobResult, jsonBytes, JOB_FORMAT, JOB_VERSION, type EvaluationJob, type EvaluationJobResult } from './evaluation-job.js';
import { attemptFailureOf } from './job-failure.js';
import { connectionLog, openRedis, redisOptions } from './redis-connection.js';
import { describeRedis, parseRedisUrl, type RedisAddress } from './redis-url.js';
import { announceRun, retireRun, runQueueId, runQueueName } from './run-queues.js';
import { packTeacher, storeTeacher, type PackedTeacher } from './teacher-transfer.js';

export interface QueueEvaluationOptions {
  /** redis://[:password@]host:port[/db] or rediss://. */
  queue: string;
  /** Where the URL came from, for errors (`--queue`, `evaluation.queue`). */
  source?: string;
  /** The search run directory: its queue id lives there, and job names are task directories relative to it. */
  dir: string;
  log?: (line: string) => void;
  /** How often awaited jobs are looked at (default 5000 ms). */
  checkEveryMs?: number;
}

/** Jobs in flight at most: every candidate of an evaluation goes out at once, and hosts take what they can. */
export const QUEUE_JOBS_IN_FLIGHT = 256;
/** BullMQ drops finished jobs nobody collected after a week. */
const KEEP_JOBS_SECONDS = 7 * 24 * 3600;

const noop = () => {};

interface Awaited {
  task: WorkerTask;
  timeoutMs: number | undefined;
  resolve(value: TrainedCandidate): void;
  reject(err: unknown): void;
}

/** What went through Redis: jobs sent and their JSON bytes, results collected and theirs, teacher bytes stored. */
export interface QueueTraffic {
  jobs: number;
  jobBytes: number;
  results: number;
  resultBytes: number;
  teacherBytes: number;
}

export class QueueEvaluation implements CandidateRunner {
  readonly workers = QUEUE_JOBS_IN_FLIGHT;
  readonly slots = new WorkerSlots(QUEUE_JOBS_IN_FLIGHT);
  readonly warmsUp = false;
  readonly preparedWorkers = 0;
  readonly address: RedisAddress;
  readonly runId: string;
  readonly queueName: string;
  readonly traffic: QueueTraffic = { jobs: 0, jobBytes: 0, results: 0, resultBytes: 0, teacherBytes: 0 };
  private readonly dir: string;
  private readonly log: (line: string) => void;
  private readonly redis: Redis;
  private readonly queue: Queue;
  private readonly events: QueueEvents;
  private readonly awaited = new Map<string, Awaited>();
  private readonly teachers = new Map<string, PackedTeacher>();
  private readonly datasets = new Map<string, DatasetIdentity>();
  private readonly checker: NodeJS.Timeout;
  private announced = false;

  constructor(options: QueueEvaluationOptions) {
    this.address = parseRedisUrl(options.queue, options.source);
    this.dir = resolve(options.dir);
    this.log = options.log ?? noop;
    mkdirSync(this.dir, { recursive: true });
    this.runId = runQueueId(this.dir);
    this.queueName = runQueueName(this.runId);
    const connection = connectionLog(this.address, this.log);
    const onError = (err: unknown) => connection.error(err);
    this.redis = openRedis(this.address, onError, () => connection.recovered());
    this.queue = new Queue(this.queueName, { connection: redisOptions(this.address) });
    this.queue.on('error', onError);
    this.events = new QueueEvents(this.queueName, { connection: redisOptions(this.address) });
    this.events.on('error', onError);
    this.events.on('completed', ({ jobId }) => void this.settle(jobId));
    this.events.on('failed', ({ jobId }) => void this.settle(jobId));
    this.events.on('progress', ({ jobId, data }) => this.relayProgress(jobId, data));
    this.checker = setInterval(() => void this.checkAwaited(), options.checkEveryMs ?? 5000);
  }

  /** The job name of a task: its run directory relative to the search's (`evaluation-candidates-3`). */
  jobId(task: WorkerTask): string {
    return relative(this.dir, resolve(task.task.runDir)).replace(/[^A-Za-z0-9_.-]+/g, '-') || 'run';
  }

  async run(task: WorkerTask, options: RunAttemptOptions = {}): Promise<TrainedCandidate> {
    const jobId = this.jobId(task);
    if (this.awaited.has(jobId)) throw new Error(`job ${jobId} is already awaited`);
    const { signal } = options;
    const done = new Promise<TrainedCandidate>((resolvePromise, rejectPromise) => {
      this.awaited.set(jobId, { task, timeoutMs: options.timeoutMs, resolve: resolvePromise, reject: rejectPromise });
    });
    const onAbort = () => this.awaited.get(jobId)?.reject(signal!.reason ?? new Error('stopped'));
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      if (signal?.aborted) onAbort();
      else {
        await this.send(task, options.timeoutMs);
        await this.settle(jobId);
      }
      return await done;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.awaited.delete(jobId);
    }
  }

  /** The job for `task`, added unless a job of that name is in the queue already (a resumed search's). */
  private async send(task: WorkerTask, timeoutMs: number | undefined): Promise<void> {
    const { training } = task.task;
    if (!this.announced) {
      await announceRun(this.redis, this.runId);
      this.announced = true;
    }
    let dataset = this.datasets.get(training.data);
    if (dataset === undefined) this.datasets.set(training.data, (dataset = datasetIdentity(training.data)));
    let teacher: PackedTeacher | undefined;
    if (training.distillation !== undefined) {
      const path = resolve(training.distillation.teacher);
      teacher = this.teachers.get(path);
      if (teacher === undefined) this.teachers.set(path, (teacher = packTeacher(path)));
      if (await storeTeacher(this.redis, teacher)) this.traffic.teacherBytes += teacher.reference.bytes;
    }
    const job: EvaluationJob = {
      format: JOB_FORMAT,
      version: JOB_VERSION,
      groupnas: VERSION,
      index: task.task.index,
      attempt: task.attempt,
      arch: task.task.arch,
      training,
      dataset: { name: dataset.name, checksum: dataset.checksum },
      ...(teacher ? { teacher: teacher.reference } : {}),
      runDir: resolve(task.task.runDir),
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    };
    this.traffic.jobs++;
    this.traffic.jobBytes += jsonBytes(job);
    await this.queue.add('evaluate', job, {
      jobId: this.jobId(task),
      attempts: 1,
      removeOnComplete: { age: KEEP_JOBS_SECONDS },
      removeOnFail: { age: KEEP_JOBS_SECONDS },
    });
  }

  /** Look at job `jobId` now: collect it when it is finished. */
  private async settle(jobId: string): Promise<void> {
    const waiter = this.awaited.get(jobId);
    if (waiter === undefined) return;
    try {
      const state = await this.queue.getJobState(jobId);
      if (state === 'unknown') {
        this.log(`queue: job ${jobId} is no longer in Redis (restarted without persistence?); sending it again`);
        this.announced = false;
        await this.send(waiter.task, waiter.timeoutMs);
        return;
      }
      if (state !== 'completed' && state !== 'failed') return;
      const job = await this.queue.getJob(jobId);
      if (job === undefined || this.awaited.get(jobId) !== waiter) return;
      this.awaited.delete(jobId);
      if (state === 'failed') {
        await job.remove().catch(noop);
        waiter.reject(attemptFailureOf(job.failedReason));
        return;
      }
      // On disk before the job leaves Redis: a kill in between costs a retraining at worst, never a result.
      let trained: TrainedCandidate;
      try {
        this.traffic.results++;
        this.traffic.resultBytes += jsonBytes(job.returnvalue);
        trained = this.layOut(waiter.task, job.returnvalue as unknown);
      } catch (err) {
        await job.remove().catch(noop);
        waiter.reject(err);
        return;
      }
      await job.remove().catch(noop);
      waiter.resolve(trained);
    } catch (err) {
      // Redis unreachable for the moment: the next check tries again.
      this.log(`queue: could not look at job ${jobId}: ${firstLine(err)}`);
    }
  }

  /** Write a finished job's run files into the task's run directory; the candidate as the pool would return it. */
  private layOut(task: WorkerTask, value: unknown): TrainedCandidate {
    const result: EvaluationJobResult = checkJobResult(value);
    const runDir = task.task.runDir;
    for (const [name, base64] of Object.entries(result.files)) writeFileAtomic(join(runDir, name), Buffer.from(base64, 'base64'));
    return { ...result.trained, index: task.task.index, modelFile: join(runDir, MODEL_FILE) };
  }

  /** Every few seconds: catch finished jobs whose event was missed, lost jobs (no event ever says so), and keep the run listed. */
  private async checkAwaited(): Promise<void> {
    if (this.awaited.size === 0) return;
    if (this.announced) await announceRun(this.redis, this.runId).catch(noop);
    for (const jobId of [...this.awaited.keys()]) await this.settle(jobId);
  }

  /** A worker's progress event, replayed on the task's progress port. */
  private relayProgress(jobId: string, data: unknown): void {
    const port = this.awaited.get(jobId)?.task.progress;
    if (port === undefined || !isProgressMessage(data)) return;
    try {
      port.postMessage(data);
    } catch {
      // the attempt ended meanwhile and closed its port
    }
  }

  /**
   * Stop: the run is no longer listed, so workers finish the jobs they hold and take no more; jobs
   * still queued wait in Redis for the search to be resumed (which lists the run again).
   */
  async destroy(): Promise<void> {
    clearInterval(this.checker);
    const t = this.traffic;
    if (t.jobs > 0) {
      const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
      this.log(
        `queue: ${t.jobs} jobs sent (${kib(t.jobBytes)}), ${t.results} results collected (${kib(t.resultBytes)})` +
          `${t.teacherBytes > 0 ? `, the teacher stored once (${kib(t.teacherBytes)})` : ''}`,
      );
    }
    if (this.announced) await retireRun(this.redis, this.runId).catch(noop);
    // Nothing left for a resumed search to collect: the queue's keys go too (its event stream, its counters).
    const left = await Promise.all([this.queue.count(), this.queue.getActiveCount()]).catch(() => [1]);
    if (left.every((n) => n === 0)) await this.queue.obliterate({ force: true }).catch(noop);
    await Promise.all([this.events.close().catch(noop), this.queue.close().catch(noop)]);
    this.redis.disconnect();
  }

  /** Where the jobs go, for a person: the queue and the Redis (without its password). */
  describe(): string {
    return `queue ${this.queueName} on ${describeRedis(this.address)}`;
  }
}

function isProgressMessage(data: unknown): data is ProgressMessage {
  if (typeof data !== 'object' || data === null) return false;
  const m = data as Record<string, unknown>;
  if (m.type === 'start') return typeof m.label === 'string' && typeof m.total === 'number';
  if (m.type === 'update') return typeof m.done === 'number' && (m.fields === undefined || (typeof m.fields === 'object' && m.fields !== null));
  return m.type === 'stop';
}

/** Start a queue runner for the search in `options.dir` (see QueueEvaluation). */
export function startQueueEvaluation(options: QueueEvaluationOptions): QueueEvaluation {
  return new QueueEvaluation(options);
}
