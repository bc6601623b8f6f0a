/**
 * Progress across threads: a worker's training run reports to a `ProgressReporter` that posts
 * messages on a MessagePort; the main thread replays them on its own reporter (the CLI's bars).
 * Posting never blocks, so a worker busy in a synchronous training loop still shows its progress.
 */
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import type { ProgressReporter, ProgressTask } from '../../util/progress.js';

export type ProgressMessage =
  { type: 'start'; label: string; total: number } | { type: 'update'; done: number; fields?: Record<string, string | number> } | { type: 'stop' };

/** Worker side: a reporter whose tasks post to `port`. */
export function portProgress(port: MessagePort): ProgressReporter {
  return {
    start(label, total) {
      port.postMessage({ type: 'start', label, total } satisfies ProgressMessage);
      return {
        update(done, fields) {
          port.postMessage({ type: 'update', done, ...(fields ? { fields } : {}) } satisfies ProgressMessage);
        },
        stop() {
          port.postMessage({ type: 'stop' } satisfies ProgressMessage);
        },
      };
    },
  };
}

/**
 * Main side: replay the worker's progress on `reporter`, with the worker's label prefixed by
 * `prefix` (e.g. `candidate 3`). Returns a function that stops listening and ends any open task.
 */
export function relayProgress(port: MessagePort, reporter: ProgressReporter, prefix: string): () => void {
  let task: ProgressTask | undefined;
  const replay = (message: ProgressMessage) => {
    if (message.type === 'start') {
      task?.stop();
      task = reporter.start(`${prefix} ${message.label}`, message.total);
    } else if (message.type === 'update') {
      task?.update(message.done, message.fields);
    } else {
      task?.stop();
      task = undefined;
    }
  };
  port.on('message', replay);
  return () => {
    port.removeAllListeners('message');
    // The worker's last update (its final test accuracy) and stop may still be queued when its result
    // arrives on another channel: replay them before closing, or the bar ends on the previous epoch's fields.
    for (let queued = receiveMessageOnPort(port); queued !== undefined; queued = receiveMessageOnPort(port)) replay(queued.message as ProgressMessage);
    port.close();
    task?.stop();
    task = undefined;
  };
}
