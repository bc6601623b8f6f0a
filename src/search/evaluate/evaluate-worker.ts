/**
 * The piscina worker entry: one module instance per worker thread, so the tfjs backend is chosen
 * once per thread (its own tfjs, its own wasm heap) and reused by every task the thread runs.
 *
 * The thread prepares itself as soon as it starts, before any task arrives: it sets up the backend
 * the pool was created with and, when the pool asks for it, rehearses a training step (warm-up.ts),
 * then tells the pool it is ready. A pool started early — during the supernet phase, which keeps
 * only one core busy — thus hands its first task to a warm worker.
 *
 * Piscina loads this file as plain JavaScript: always the built `dist/search/evaluate/evaluate-worker.js`
 * (see util/worker-file.ts), also when the pool itself runs from TypeScript sources under vitest.
 */
import { parentPort, threadId, workerData, type MessagePort } from 'node:worker_threads';
import { selectBackend, type ConcreteBackend, type TrainingKernelOptions, type TrainingKernels } from '../../backend/index.js';
import { setTapeBudget, SHARED_TAPE_BUDGET_BYTES } from '../../nn/index.js';
import { silentProgress } from '../../util/progress.js';
import { workUnderCallersLock } from '../../util/run-lock.js';
import { trainCandidate, type CandidateTask, type TrainedCandidate } from './candidate-task.js';
import { withInjectedFault, type InjectedFault } from './fault-injection.js';
import { portProgress } from './progress-port.js';
import { firstLine } from './first-line.js';
import { rehearse, type WarmUp } from './warm-up.js';

/** What every worker of a pool starts with (piscina's `workerData`). */
export interface WorkerSetup {
  backend: ConcreteBackend;
  /** On wasm: which kernels train and with how many threads (the pool divides the cores among its workers). */
  training: TrainingKernelOptions;
  /** Rehearse this before the first task (omitted: the first task pays the thread's start-up). */
  warmUp?: WarmUp;
  /** Element 0 counts the pool's prepared workers: readable by the main thread even while it is busy. */
  preparedCount: Int32Array;
  /**
   * Rehearsals take turns, one worker at a time: [0] hands out turns, [1] counts rehearsals ended.
   * Started with the search, every worker rehearsing at once would put one more busy thread on the
   * cores than there are (the teacher or supernet holds one), slowing the search and disturbing the
   * latency table measured while the pool starts.
   */
  rehearsalTurns?: Int32Array;
}

/** How long a worker waits for its turn before rehearsing anyway (a worker that died mid-rehearsal never ends its turn). */
const TURN_TIMEOUT_MS = 120_000;

function awaitTurn(turns: Int32Array): number {
  const turn = Atomics.add(turns, 0, 1);
  const deadline = Date.now() + TURN_TIMEOUT_MS;
  for (let ended = Atomics.load(turns, 1); ended < turn && Date.now() < deadline; ended = Atomics.load(turns, 1)) {
    Atomics.wait(turns, 1, ended, Math.max(1, deadline - Date.now()));
  }
  return turn;
}

function endTurn(turns: Int32Array): void {
  Atomics.add(turns, 1, 1);
  Atomics.notify(turns, 1);
}

/** Posted to the pool once the thread is prepared (or failed to be). */
export interface WorkerReady {
  kind: 'groupnas-evaluation-worker-ready';
  threadId: number;
  /** Seconds from the module's start to ready: backend set-up plus the rehearsal. */
  seconds: number;
  /** The backend could not be set up: every task of this worker fails with this. */
  backendError?: string;
  /** On wasm: which kernels train in this worker (the pool's request resolved here). */
  trainingKernels?: TrainingKernels['kind'];
  /** The rehearsal failed (tasks still run; the first one pays the start-up). */
  warmUpError?: string;
  /** When the rehearsal ran, in ms since the epoch (comparable across threads): rehearsals take turns. */
  rehearsal?: { startedAt: number; endedAt: number };
}

export interface WorkerTask {
  task: CandidateTask;
  /** 1 for the first try, 2 for the retry. */
  attempt: number;
  /** Training progress goes here (transferred to the worker). */
  progress?: MessagePort;
  /** Test hook (fault-injection.ts). */
  fault?: InjectedFault;
}

/** Set up the backend and rehearse; never throws (a throw here would kill the thread at start-up, and piscina would start another, forever). */
async function prepare(setup: WorkerSetup | undefined): Promise<WorkerReady> {
  const started = performance.now();
  const ready = (fields: Partial<WorkerReady>): WorkerReady => {
    const message: WorkerReady = { kind: 'groupnas-evaluation-worker-ready', threadId, seconds: (performance.now() - started) / 1000, ...fields };
    if (setup !== undefined && fields.backendError === undefined) Atomics.add(setup.preparedCount, 0, 1);
    parentPort?.postMessage(message);
    return message;
  };
  if (setup === undefined) {
    return ready({ backendError: 'the evaluation worker was started without its setup (workerData); start it through startEvaluationPool' });
  }
  let trainingKernels: TrainingKernels['kind'] | undefined;
  try {
    trainingKernels = (await selectBackend(setup.backend, setup.training)).training?.kind;
  } catch (err) {
    return ready({ backendError: firstLine(err) });
  }
  // Workers train side by side with each other and the search's own thread, in one process: large tapes are checkpointed.
  setTapeBudget(SHARED_TAPE_BUDGET_BYTES);
  const kernels = trainingKernels !== undefined ? { trainingKernels } : {};
  if (setup.warmUp === undefined) return ready(kernels);
  if (setup.rehearsalTurns !== undefined) awaitTurn(setup.rehearsalTurns);
  // Date.now: one clock for every thread (each worker's performance.timeOrigin is its own, ms apart);
  // the end is read before the turn passes on, so the next rehearsal cannot start before it.
  const startedAt = Date.now();
  let warmUpError: string | undefined;
  let endedAt = startedAt;
  try {
    rehearse(setup.warmUp);
  } catch (err) {
    warmUpError = firstLine(err);
  } finally {
    endedAt = Date.now();
    if (setup.rehearsalTurns !== undefined) endTurn(setup.rehearsalTurns);
  }
  const rehearsal = { startedAt, endedAt };
  return ready({ ...kernels, rehearsal, ...(warmUpError !== undefined ? { warmUpError } : {}) });
}

// Top-level await: piscina's worker waits for this module before it idles in Atomics.wait, which
// would stop an asynchronous set-up in its tracks until the first task arrived.
const prepared = await prepare(workerData as WorkerSetup | undefined);

export default function evaluateInWorker(message: WorkerTask): TrainedCandidate {
  if (prepared.backendError !== undefined)
    throw new Error(`evaluation worker: backend ${(workerData as WorkerSetup | undefined)?.backend ?? '(none)'}: ${prepared.backendError}`);
  const progress = message.progress ? portProgress(message.progress) : silentProgress;
  // The pool's owner (evaluateCandidates, in the main thread) holds the evaluation directory's lock.
  workUnderCallersLock(message.task.runDir);
  try {
    return trainCandidate(message.task, withInjectedFault(progress, message.fault, message.attempt));
  } finally {
    message.progress?.close();
  }
}
