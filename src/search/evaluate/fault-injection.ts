/**
 * Test hook: make a candidate's task fail in a chosen way, mid-training, on its first attempts —
 * so tests (and anyone doubting the pool) can watch a worker throw, die or hang and see the pool
 * retry, resume from the checkpoint, or record the failure. Never set by the CLI.
 */
import type { ProgressReporter } from '../../util/progress.js';

export interface InjectedFault {
  /**
   * `throw`: the task throws; `exit`: the worker thread calls process.exit (it dies); `hang`: the task
   * blocks forever (for the timeout); `oom`: the task fills the JS heap until the worker's memory limit ends it.
   */
  kind: 'throw' | 'exit' | 'hang' | 'oom';
  /** Fail on attempts 1..attempts (1 = the retry succeeds; 2 = the candidate fails for good with the default one retry). */
  attempts: number;
  /** Fail at the n-th training progress update (a run's first update is its starting position, then one per step). */
  afterUpdates: number;
  /**
   * The task timeout of the attempts this fault hits, in place of the pool's `taskTimeoutMs`: a test
   * stops its hanging task after a moment while healthy tasks keep a timeout no slow machine reaches.
   */
  taskTimeoutMs?: number;
}

/** The timeout of attempt `attempt` of a task: the fault's own while the fault still hits, else the pool's. */
export function attemptTimeoutMs(poolTimeoutMs: number | undefined, fault: InjectedFault | undefined, attempt: number): number | undefined {
  return fault?.taskTimeoutMs !== undefined && attempt <= fault.attempts ? fault.taskTimeoutMs : poolTimeoutMs;
}

/** Exit code of a worker killed by an `exit` fault (shows in the recorded reason). */
export const INJECTED_EXIT_CODE = 70;

function fail(kind: InjectedFault['kind']): never {
  if (kind === 'exit') process.exit(INJECTED_EXIT_CODE);
  if (kind === 'oom') {
    const hoard: number[][] = [];
    for (;;) hoard.push(Array.from({ length: 1 << 16 }, (_, i) => i + hoard.length));
  }
  if (kind === 'hang') {
    // Block the thread without burning a core until the pool terminates it.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
  }
  throw new Error('injected fault: the task threw mid-training');
}

/** `progress`, with `fault` triggered at its n-th update when this attempt is one that should fail. */
export function withInjectedFault(progress: ProgressReporter, fault: InjectedFault | undefined, attempt: number): ProgressReporter {
  if (fault === undefined || attempt > fault.attempts) return progress;
  let updates = 0;
  return {
    start(label, total) {
      const task = progress.start(label, total);
      return {
        update(done, fields) {
          task.update(done, fields);
          if (++updates === fault.afterUpdates) fail(fault.kind);
        },
        stop: () => task.stop(),
      };
    },
  };
}
