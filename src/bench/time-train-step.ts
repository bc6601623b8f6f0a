import * as tf from '../util/tfjs.js';
import type { Arch } from '../space/arch.js';
import { buildModel, type GroupNetModel } from '../nn/group-net.js';
import { createTrainer, type Trainer } from '../nn/trainer.js';
import { median } from '../util/median-time.js';
import { createRng, randomInt } from '../util/random.js';

export interface TrainStepTiming {
  batch: number;
  /** Median wall time of one step (forward + backward + SGD update, loss read back). */
  stepMs: number;
  imagesPerSec: number;
  steps: number;
}

/** What the step benchmarks train: a fresh model of an arch, its SGD-Nesterov trainer and one random batch. */
export interface BenchTraining {
  model: GroupNetModel;
  trainer: Trainer;
  x: tf.Tensor4D;
  y: tf.Tensor1D;
  /** Frees the trainer, the model and the batch. */
  dispose(): void;
}

/** A BenchTraining of `arch` on the current tfjs backend: `batch` images of uniform [−1, 1) values, random labels, all from `seed`. */
export function createBenchTraining(arch: Arch, batch: number, seed = 0): BenchTraining {
  const rng = createRng(seed);
  const { height, width, channels } = arch.input;
  const x = tf.tensor4d(
    Float32Array.from({ length: batch * height * width * channels }, () => rng() * 2 - 1),
    [batch, height, width, channels],
  );
  const y = tf.tensor1d(
    Int32Array.from({ length: batch }, () => randomInt(rng, arch.head.classes)),
    'int32',
  );
  const model = buildModel(arch, { seed });
  const trainer = createTrainer(model, { optimizer: 'sgd-nesterov', learningRate: 0.05, weightDecay: 1e-4 });
  return {
    model,
    trainer,
    x,
    y,
    dispose: () => {
      trainer.dispose();
      model.dispose();
      tf.dispose([x, y]);
    },
  };
}

/**
 * Time SGD-Nesterov training steps of `arch` on the current tfjs backend with random data.
 * The model is built fresh on this backend and disposed afterwards.
 */
export function timeTrainStep(arch: Arch, options: { batch: number; steps: number; warmup: number; seed?: number }): TrainStepTiming {
  return timeTrainStepAcross(arch, options, [() => {}])[0]!;
}

/**
 * timeTrainStep for several settings of one model (thread counts, say): the settings take turns, in
 * reverse order every other round, so that a slow spell of a shared host falls on all of them alike
 * rather than on whichever ran then. Each turn applies its setting, runs `settle` untimed steps (the
 * switch's own costs: caches another core filled, threads asleep) and times one. `steps` and
 * `warmup` count rounds; one timing per setting, the median of its steps.
 */
export function timeTrainStepAcross(
  arch: Arch,
  options: { batch: number; steps: number; warmup: number; seed?: number; settle?: number },
  settings: readonly (() => void)[],
): TrainStepTiming[] {
  const { batch, steps, warmup } = options;
  const training = createBenchTraining(arch, batch, options.seed);
  const { trainer, x, y } = training;
  const times = settings.map((): number[] => []);
  try {
    for (let round = 0; round < warmup + steps; round++) {
      const order = settings.map((_, i) => (round % 2 === 0 ? i : settings.length - 1 - i));
      for (const i of order) {
        settings[i]!();
        for (let k = 0; k < (options.settle ?? 0); k++) trainer.step(x, y);
        // step() reads the loss back, so a timed step has really finished
        const start = performance.now();
        trainer.step(x, y);
        if (round >= warmup) times[i]!.push(performance.now() - start);
      }
    }
  } finally {
    training.dispose();
  }
  return times.map((t) => {
    const stepMs = median(t);
    return { batch, stepMs, imagesPerSec: (batch * 1000) / stepMs, steps };
  });
}
