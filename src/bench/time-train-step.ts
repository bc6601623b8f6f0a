import * as tf from '@tensorflow/tfjs';
import type { Arch } from '../space/arch.js';
import { buildModel } from '../nn/group-net.js';
import { createTrainer } from '../nn/trainer.js';
import { createRng, randomInt } from '../util/random.js';

export interface TrainStepTiming {
  batch: number;
  /** Median wall time of one step (forward + backward + SGD update, loss read back). */
  stepMs: number;
  imagesPerSec: number;
  steps: number;
}

/**
 * Time SGD-Nesterov training steps of `arch` on the current tfjs backend with random data.
 * The model is built fresh on this backend and disposed afterwards.
 */
export function timeTrainStep(arch: Arch, options: { batch: number; steps: number; warmup: number; seed?: number }): TrainStepTiming {
  const { batch, steps, warmup } = options;
  const rng = createRng(options.seed ?? 0);
  const { height, width, channels } = arch.input;
  const x = tf.tensor4d(Float32Array.from({ length: batch * height * width * channels }, () => rng() * 2 - 1), [batch, height, width, channels]);
  const y = tf.tensor1d(Int32Array.from({ length: batch }, () => randomInt(rng, arch.head.classes)), 'int32');
  const model = buildModel(arch, { seed: options.seed ?? 0 });
  const trainer = createTrainer(model, { optimizer: 'sgd-nesterov', learningRate: 0.05, weightDecay: 1e-4 });
  const times: number[] = [];
  try {
    for (let i = 0; i < warmup + steps; i++) {
      const start = performance.now();
      trainer.step(x, y); // reads the loss back, so the step has really finished
      if (i >= warmup) times.push(performance.now() - start);
    }
  } finally {
    trainer.dispose();
    model.dispose();
    tf.dispose([x, y]);
  }
  times.sort((a, b) => a - b);
  const stepMs = times[Math.floor(times.length / 2)]!;
  return { batch, stepMs, imagesPerSec: (batch * 1000) / stepMs, steps };
}
