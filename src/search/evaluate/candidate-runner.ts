/**
 * What runs the candidates' tasks for evaluateCandidates: anything that can take a WorkerTask and
 * hand back its TrainedCandidate. On one machine it is the piscina pool (evaluation-pool.ts); beyond
 * one machine, a job queue whose workers run the same worker code on other hosts (src/queue).
 * evaluateCandidates keeps the attempts, retries and evaluation.json; a runner only runs one
 * attempt and, when it fails, says how (AttemptFailed).
 */
import type { MessagePort } from 'node:worker_threads';
import type { TrainedCandidate } from './candidate-task.js';
import type { WorkerTask } from './evaluate-worker.js';
import type { AttemptFailure } from './evaluation-file.js';
import type { WorkerSlots } from './worker-slots.js';

export interface RunAttemptOptions {
  /** Stop the attempt: it then rejects, and the caller counts it interrupted, not failed. */
  signal?: AbortSignal;
  /** The attempt fails as `timeout` once it has run this long (counted from when a worker took it). */
  timeoutMs?: number;
  /** The task's progress port, handed over with it. */
  transferList?: MessagePort[];
}

export interface CandidateRunner {
  /** Tasks it runs at once: the evaluation keeps this many in flight. */
  readonly workers: number;
  /** Kernel threads each worker takes from this host's cores; absent when the workers run on other hosts. */
  readonly threadsPerWorker?: number;
  /** Take one before `run`, so evaluations sharing the runner never over-commit it (worker-slots.ts). */
  readonly slots: WorkerSlots;
  /** Whether its workers rehearse before their first task (warm-up.ts), and how many have so far. */
  readonly warmsUp: boolean;
  readonly preparedWorkers: number;
  /** One attempt at a task: its result, or a rejection (AttemptFailed when the runner knows how it failed). */
  run(task: WorkerTask, options?: RunAttemptOptions): Promise<TrainedCandidate>;
  /** Stop: whoever started the runner destroys it. */
  destroy(): Promise<void>;
}

/** An attempt failed in a way the runner can name: its worker died, it ran past its timeout, or its task threw. */
export class AttemptFailed extends Error {
  constructor(
    readonly kind: AttemptFailure['kind'],
    message: string,
  ) {
    super(message);
    this.name = 'AttemptFailed';
  }
}
