import * as tf from '../util/tfjs.js';
import type { Arch } from '../space/arch.js';
import { buildModel } from '../nn/group-net.js';
import { createTrainer } from '../nn/trainer.js';
import { medianMs } from '../util/median-time.js';
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
  const x = tf.tensor4d(
    Float32Array.from({ length: batch * height * width * channels }, () => rng() * 2 - 1),
    [batch, height, width, channels],
  );
  const y = tf.tensor1d(
    Int32Array.from({ length: batch }, () => randomInt(rng, arch.head.classes)),
    'int32',
  );
  const model = buildModel(arch, { seed: options.seed ?? 0 });
  const trainer = createTrainer(model, { optimizer: 'sgd-nesterov', learningRate: 0.05, weightDecay: 1e-4 });
  let stepMs: number;
  try {
    // step() reads the loss back, so a timed step has really finished
    stepMs = medianMs(() => trainer.step(x, y), steps, warmup);
  } finally {
    trainer.dispose();
    model.dispose();
    tf.dispose([x, y]);
  }
  return { batch, stepMs, imagesPerSec: (batch * 1000) / stepMs, steps };
}
