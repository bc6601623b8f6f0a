/**
 * A worker's rehearsal before its first candidate: a few training steps of each of a few
 * architectures of the search space, their test and their packing, in a scratch directory that is
 * then removed.
 *
 * Why: a fresh thread pays for everything once — its data set read, V8 compiling the JavaScript
 * and tiering up the wasm kernels it runs, the first garbage collections of a growing heap. Paid
 * inside the first task, that cost lands on the evaluation's critical path (and on both cores at
 * once when two fresh workers compete for them); paid while the main thread trains the supernet
 * on one core, it uses the core that would otherwise idle (tfjs-wasm is single-threaded).
 * V8 optimizes what runs, so the rehearsal covers every choice of every decision of the space,
 * not just its template (measured on configs/tiny.json: the background compilation left to the
 * timed candidates drops from ~0.7 to ~0.6 s of CPU per pool; the rest is GC and code that only
 * the candidates' own runs make hot).
 *
 * The rehearsal's run shares nothing with later tasks but the thread: every task builds its own
 * model from its own seed, so results do not depend on it (the pool test checks they equal the
 * main thread's).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Arch } from '../../space/arch.js';
import type { SearchConfig } from '../../space/config.js';
import { spaceFromConfig } from '../../space/config-space.js';
import type { SearchSpace } from '../../space/search-space.js';
import type { TrainingOptions } from '../../train/training-options.js';
import { trainCandidate } from './candidate-task.js';
import { evaluationTrainingOptions } from './training-options.js';

export interface WarmUp {
  /** What to rehearse on, in order: architectures standing for the candidates (coveringArchs). */
  archs: Arch[];
  /** The candidates' training options: same data, batch size, optimizer and staging. */
  training: TrainingOptions;
}

/**
 * Training steps per stage of a rehearsal: tfjs's op functions run a few times per step, and V8
 * optimizes a function only once it has run often enough — on configs/tiny.json, 4 steps leave
 * 30% fewer optimizations (and ~0.15 s less background compilation per pool) to the candidates than 1.
 */
export const WARM_UP_STEPS = 4;

/**
 * The candidates' schedule cut to WARM_UP_STEPS steps per training stage, tested on one batch,
 * checkpointed only at epoch ends, without the teacher (it may not be trained yet when the pool starts).
 */
export function warmUpTraining(training: TrainingOptions): TrainingOptions {
  const { distillation: _teacher, realWeightEpochs, ...rest } = training;
  const staged = realWeightEpochs !== undefined;
  return {
    ...rest,
    epochs: staged ? 2 : 1,
    ...(staged ? { realWeightEpochs: 1 } : {}),
    limit: training.batchSize * WARM_UP_STEPS,
    testLimit: Math.min(training.testLimit ?? training.batchSize, training.batchSize),
    checkpointEverySteps: 0,
  };
}

/**
 * Architectures of `space` in which every choice of every decision appears: the k-th takes choice
 * k (modulo its count) at every site. A few (the largest choice count), not the whole space.
 * Choice vectors that make an invalid architecture are skipped; the template stands in if none is left.
 */
export function coveringArchs(space: SearchSpace): Arch[] {
  const rounds = Math.max(1, ...space.variables.map((v) => v.choices.length));
  const archs: Arch[] = [];
  for (let k = 0; k < rounds; k++) {
    try {
      archs.push(space.decode(space.variables.map((v) => k % v.choices.length)));
    } catch {
      // an invalid combination: skipped (its choices are rehearsed only if another round has them)
    }
  }
  return archs.length > 0 ? archs : [space.template];
}

/** What a search's evaluation workers rehearse: its space's covering architectures on its candidates' schedule (the teacher aside). */
export function searchWarmUp(config: SearchConfig): WarmUp {
  return { archs: coveringArchs(spaceFromConfig(config)), training: evaluationTrainingOptions(config) };
}

/** Rehearse `warmUp` in this thread (train, test, pack in a scratch directory, removed afterwards). */
export function rehearse(warmUp: WarmUp): void {
  const scratch = mkdtempSync(join(tmpdir(), 'groupnas-warm-up-'));
  const training = warmUpTraining(warmUp.training);
  try {
    warmUp.archs.forEach((arch, i) => trainCandidate({ index: -1, arch, training, runDir: join(scratch, String(i)) }));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
