/**
 * The piscina worker entry: one module instance per worker thread, so the tfjs backend is chosen
 * once per thread (its own tfjs, its own wasm heap) and reused by every task the thread runs.
 *
 * Piscina loads this file as plain JavaScript: always the built `dist/search/evaluate/evaluate-worker.js`
 * (see worker-file.ts), also when the pool itself runs from TypeScript sources under vitest.
 */
import type { MessagePort } from 'node:worker_threads';
import { selectBackend, type ConcreteBackend } from '../../backend/select.js';
import { silentProgress } from '../../util/progress.js';
import { trainCandidate, type CandidateTask, type TrainedCandidate } from './candidate-task.js';
import { withInjectedFault, type InjectedFault } from './fault-injection.js';
import { portProgress } from './progress-port.js';

export interface WorkerTask {
  task: CandidateTask;
  backend: ConcreteBackend;
  /** 1 for the first try, 2 for the retry. */
  attempt: number;
  /** Training progress goes here (transferred to the worker). */
  progress?: MessagePort;
  /** Test hook (fault-injection.ts). */
  fault?: InjectedFault;
}

let backendReady: Promise<unknown> | undefined;

export default async function evaluateInWorker(message: WorkerTask): Promise<TrainedCandidate> {
  await (backendReady ??= selectBackend(message.backend));
  const progress = message.progress ? portProgress(message.progress) : silentProgress;
  try {
    return trainCandidate(message.task, withInjectedFault(progress, message.fault, message.attempt));
  } finally {
    message.progress?.close();
  }
}
