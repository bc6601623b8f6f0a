import type { SearchConfig } from '../space/config.js';
import type { TrainingOptions } from './training-run.js';

/**
 * A config's training section and data limits as a training run's options, for `epochs` epochs.
 * The teacher, the candidates and the presets of a search all train on this schedule.
 */
export function trainingOptionsFromConfig(config: SearchConfig, epochs: number, checkpointEverySteps: number): TrainingOptions {
  const t = config.training;
  return {
    data: config.data.dataset,
    epochs,
    batchSize: t.batchSize,
    ...(config.data.trainLimit > 0 ? { limit: config.data.trainLimit } : {}),
    ...(config.data.testLimit > 0 ? { testLimit: config.data.testLimit } : {}),
    optimizer: t.optimizer === 'sgd' ? 'sgd-nesterov' : 'adam',
    learningRate: t.lr,
    schedule: t.schedule,
    weightDecay: t.weightDecay,
    labelSmoothing: t.labelSmoothing,
    augment: config.data.augment,
    seed: config.seed,
    checkpointEverySteps,
  };
}
