/**
 * A worker's rehearsal before its first candidate: one training step of a representative
 * architecture, its test and its packing, in a scratch directory that is then removed.
 *
 * Why: a fresh thread pays for everything once — its data set read, V8 compiling the JavaScript
 * and tiering up the wasm kernels it runs, the first garbage collections of a growing heap. Paid
 * inside the first task, that cost lands on the evaluation's critical path (and on both cores at
 * once when two fresh workers compete for them); paid while the main thread trains the supernet
 * on one core, it uses the core that would otherwise idle (tfjs-wasm is single-threaded).
 *
 * The rehearsal's run shares nothing with later tasks but the thread: every task builds its own
 * model from its own seed, so results do not depend on it (the pool test checks they equal the
 * main thread's).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Arch } from '../../space/arch.js';
import type { TrainingOptions } from '../../train/training-run.js';
import { trainCandidate } from './candidate-task.js';

export interface WarmUp {
  /** What to rehearse on: the search space's template stands for its candidates. */
  arch: Arch;
  /** The candidates' training options: same data, batch size, optimizer and staging. */
  training: TrainingOptions;
}

/**
 * The candidates' schedule cut to one step per training stage on one batch, tested on one batch,
 * checkpointed only at epoch ends, without the teacher (it may not be trained yet when the pool starts).
 */
export function warmUpTraining(training: TrainingOptions): TrainingOptions {
  const { distillation: _teacher, realWeightEpochs, ...rest } = training;
  const staged = realWeightEpochs !== undefined;
  return {
    ...rest,
    epochs: staged ? 2 : 1,
    ...(staged ? { realWeightEpochs: 1 } : {}),
    limit: training.batchSize,
    testLimit: Math.min(training.testLimit ?? training.batchSize, training.batchSize),
    checkpointEverySteps: 0,
  };
}

/** Rehearse `warmUp` in this thread (train, test, pack in a scratch directory, removed afterwards). */
export function rehearse(warmUp: WarmUp): void {
  const scratch = mkdtempSync(join(tmpdir(), 'groupnas-warm-up-'));
  try {
    trainCandidate({ index: -1, arch: warmUp.arch, training: warmUpTraining(warmUp.training), runDir: join(scratch, 'run') });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
