import type { TrainingOptions } from '../../src/train/training-options.js';

/**
 * A training run small enough for a test: one epoch on a few embedded images, Adam, no
 * augmentation. Tests state only what they vary.
 */
export function tinyTraining(overrides: Partial<TrainingOptions> = {}): TrainingOptions {
  return {
    data: 'embedded',
    epochs: 1,
    batchSize: 32,
    limit: 64,
    testLimit: 64,
    optimizer: 'adam',
    learningRate: 2e-3,
    schedule: 'cosine',
    weightDecay: 0,
    labelSmoothing: 0,
    augment: false,
    seed: 0,
    checkpointEverySteps: 0,
    ...overrides,
  };
}
