/**
 * The evaluation's worker threads (a piscina pool), started apart from the evaluation itself so a
 * search can start them early: `groupnas search` starts its pool before the supernet phase, whose
 * tfjs-wasm training keeps one core busy and leaves the other idle — the workers set up their
 * backend and rehearse a training step there (warm-up.ts), one worker at a time, and the evaluation
 * begins with warm workers. An idle worker sleeps in Atomics.wait and takes no CPU from the supernet.
 *
 * Whoever starts a pool destroys it; evaluateCandidates starts (and destroys) its own when given none.
 */
import { Piscina } from 'piscina';
import { defaultTrainingThreads, type ConcreteBackend, type TrainingKernelOptions } from '../../backend/index.js';
import { UsageError } from '../../util/errors.js';
import type { TrainedCandidate } from './candidate-task.js';
import { AttemptFailed, type CandidateRunner, type RunAttemptOptions } from './candidate-runner.js';
import { firstLine } from './first-line.js';
import type { WorkerReady, WorkerSetup, WorkerTask } from './evaluate-worker.js';
import type { WarmUp } from './warm-up.js';
import { workerExecArgv } from '../../util/worker-file.js';
import { evaluationWorkerFile } from './worker-file.js';
import { WorkerSlots } from './worker-slots.js';

export interface EvaluationPoolOptions {
  /** Worker threads (≥ 1). */
  workers: number;
  /** tfjs backend of every worker (default `wasm`). */
  backend?: ConcreteBackend;
  /** On wasm, the kernels that train (default auto) and threads per worker (default: the cores shared among the workers). */
  training?: TrainingKernelOptions;
  /**
   * JS heap limit of each worker in MiB (default: Node's). A worker past it is stopped and its task
   * counted as failed like a dead worker. tfjs's wasm heap and typed arrays are not counted here.
   */
  workerHeapMb?: number;
  /** Rehearse this in every worker as it starts (omitted: each worker's first task pays its start-up). */
  warmUp?: WarmUp;
  /** One-line notes: a worker that failed while idle, one whose rehearsal failed. */
  log?: (line: string) => void;
}

/** A worker's report that it is prepared (evaluate-worker.ts). */
export type WorkerReport = Omit<WorkerReady, 'kind'>;

function isWorkerReady(message: unknown): message is WorkerReady {
  return typeof message === 'object' && message !== null && (message as { kind?: unknown }).kind === 'groupnas-evaluation-worker-ready';
}

export class EvaluationPool implements CandidateRunner {
  readonly workers: number;
  /** Native kernel threads each worker trains with (cores ÷ workers unless asked). */
  readonly threadsPerWorker: number;
  readonly backend: ConcreteBackend;
  readonly warmsUp: boolean;
  /** Take one before `run`: evaluations sharing the pool then never queue inside piscina (worker-slots.ts). */
  readonly slots: WorkerSlots;
  private readonly piscina: Piscina<WorkerTask, TrainedCandidate>;
  private readonly reports: WorkerReport[] = [];
  private readonly preparedCount = new Int32Array(new SharedArrayBuffer(4));
  private readonly waiting: (() => void)[] = [];

  constructor(options: EvaluationPoolOptions) {
    if (!Number.isInteger(options.workers) || options.workers < 1) throw new UsageError(`workers: expected an integer ≥ 1, got ${options.workers}`);
    if (options.workerHeapMb !== undefined && (!Number.isInteger(options.workerHeapMb) || options.workerHeapMb < 16)) {
      throw new UsageError(`workerHeapMb: expected an integer ≥ 16, got ${options.workerHeapMb}`);
    }
    const log = options.log ?? (() => {});
    this.workers = options.workers;
    this.slots = new WorkerSlots(options.workers);
    this.backend = options.backend ?? 'wasm';
    this.warmsUp = options.warmUp !== undefined;
    this.threadsPerWorker = options.training?.threads ?? defaultTrainingThreads(options.workers);
    const setup: WorkerSetup = {
      backend: this.backend,
      training: { ...options.training, threads: this.threadsPerWorker },
      ...(options.warmUp ? { warmUp: options.warmUp, rehearsalTurns: new Int32Array(new SharedArrayBuffer(8)) } : {}),
      preparedCount: this.preparedCount,
    };
    this.piscina = new Piscina<WorkerTask, TrainedCandidate>({
      filename: evaluationWorkerFile(),
      execArgv: workerExecArgv(),
      minThreads: options.workers,
      maxThreads: options.workers,
      workerData: setup,
      ...(options.workerHeapMb !== undefined ? { resourceLimits: { maxOldGenerationSizeMb: options.workerHeapMb } } : {}),
    });
    // Piscina emits 'error' for a worker that fails while it holds no task; unheard, it would end the process.
    this.piscina.on('error', (err: unknown) => log(`evaluation: an idle worker failed (${firstLine(err)}); the pool replaces it`));
    this.piscina.on('message', (message: unknown) => {
      if (!isWorkerReady(message)) return;
      const { kind: _, ...report } = message;
      if (report.warmUpError !== undefined) log(`evaluation: a worker's warm-up failed (${report.warmUpError}); its first task pays the start-up`);
      this.reports.push(report);
      if (this.reports.length >= this.workers) for (const wake of this.waiting.splice(0)) wake();
    });
  }

  /**
   * Run one task on the next free worker (piscina's `run`: an abort replaces its worker). A task
   * past `timeoutMs`, or whose worker died or ran out of memory, rejects with AttemptFailed.
   */
  async run(task: WorkerTask, options: RunAttemptOptions = {}): Promise<TrainedCandidate> {
    const { signal, timeoutMs, transferList } = options;
    const timeout = new AbortController();
    const timer = timeoutMs === undefined ? undefined : setTimeout(() => timeout.abort(), timeoutMs);
    try {
      return await this.piscina.run(task, {
        signal: signal ? AbortSignal.any([signal, timeout.signal]) : timeout.signal,
        ...(transferList ? { transferList } : {}),
      });
    } catch (err) {
      if (signal?.aborted) throw err;
      if (timeout.signal.aborted) throw new AttemptFailed('timeout', `ran past the task timeout of ${timeoutMs} ms; its worker was stopped`);
      const message = firstLine(err);
      if ((err as { code?: unknown }).code === 'ERR_WORKER_OUT_OF_MEMORY') throw new AttemptFailed('worker-exit', `its worker ran out of memory (${message})`);
      if (message.startsWith('worker exited')) throw new AttemptFailed('worker-exit', `its worker thread died (${message})`);
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Resolves once as many workers as the pool has reported prepared (backend set up, rehearsal
   * done), with their reports — failures included: it never rejects. Workers that replace dead
   * ones report too, so after a death this may resolve before every current worker is warm.
   */
  whenReady(): Promise<WorkerReport[]> {
    if (this.reports.length >= this.workers) return Promise.resolve(this.reports.slice(0, this.workers));
    return new Promise((resolve) => this.waiting.push(() => resolve(this.reports.slice(0, this.workers))));
  }

  /**
   * Workers prepared so far (backend set up and, with a warm-up, rehearsed), replacements of dead
   * ones included. Read from shared memory: exact even before the main thread has handled the
   * workers' messages (say, right after a long synchronous supernet phase).
   */
  get preparedWorkers(): number {
    return Atomics.load(this.preparedCount, 0);
  }

  /** Stop every worker (running tasks are aborted). */
  destroy(): Promise<void> {
    return this.piscina.destroy();
  }
}

export function startEvaluationPool(options: EvaluationPoolOptions): EvaluationPool {
  return new EvaluationPool(options);
}
