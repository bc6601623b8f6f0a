/**
 * What determines a training run's result (with the Arch and the backend): its options, their
 * defaults, and the options a search config gives its teacher, candidates and presets.
 */
import { isAbsolute, relative, resolve } from 'node:path';
import type { OptimizerKind } from '../nn/index.js';
import type { SearchConfig } from '../space/config.js';
import type { DistillationWeights } from '../distill/index.js';

/** How a run learns from its teacher (distill/distillation.ts), the teacher given as its training run. */
export interface DistillationOptions extends DistillationWeights {
  /** Run directory of a trained full-precision teacher (`groupnas teacher` / `groupnas train --preset fp`). */
  teacher: string;
  labelWeight: number;
}

export interface TrainingOptions {
  /** `embedded`, `debian` or a directory (see loadDataset). */
  data: string;
  epochs: number;
  batchSize: number;
  /** First N training images only. */
  limit?: number;
  /** First N test images only. */
  testLimit?: number;
  optimizer: OptimizerKind;
  learningRate: number;
  schedule: 'cosine' | 'step' | 'constant';
  weightDecay: number;
  labelSmoothing: number;
  /** Random crop with padding (and flips for colour images). */
  augment: boolean;
  seed: number;
  /** Also checkpoint every N steps inside an epoch (0 = only at epoch ends). */
  checkpointEverySteps: number;
  /** Learn from a trained full-precision teacher as well as from the labels. */
  distillation?: DistillationOptions;
  /**
   * Staged training (Real-to-Binary): the first N epochs train binary activations with real
   * weights, the remaining ones the fully binary network initialised from them (see staged-training.ts).
   */
  realWeightEpochs?: number;
}

export const DEFAULT_TRAINING: Omit<TrainingOptions, 'epochs'> = {
  data: 'embedded',
  batchSize: 64,
  optimizer: 'adam',
  learningRate: 2e-3,
  schedule: 'cosine',
  weightDecay: 0,
  labelSmoothing: 0,
  augment: true,
  seed: 0,
  checkpointEverySteps: 25,
};

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

/**
 * The options as a run file stores them: the teacher's path relative to `dir`, the directory of
 * the file, so a run directory copied or moved with its teacher keeps using its own copy.
 */
export function optionsStoredIn(dir: string, options: TrainingOptions): TrainingOptions {
  const d = options.distillation;
  return d ? { ...options, distillation: { ...d, teacher: relative(resolve(dir), resolve(d.teacher)) || '.' } } : options;
}

/** The options of a run file read from `dir`, with the teacher's path made absolute again. */
export function optionsReadFrom(dir: string, options: TrainingOptions): TrainingOptions {
  const d = options.distillation;
  return d && !isAbsolute(d.teacher) ? { ...options, distillation: { ...d, teacher: resolve(dir, d.teacher) } } : options;
}

/** The options with the teacher's path absolute (a relative one taken from the working directory), as run files give them back. */
export function withAbsoluteTeacher(options: TrainingOptions): TrainingOptions {
  return optionsReadFrom(process.cwd(), options);
}

/** JSON Schema of TrainingOptions as run files store them. */
export const TRAINING_OPTIONS_SCHEMA = {
  type: 'object',
  required: [
    'data',
    'epochs',
    'batchSize',
    'optimizer',
    'learningRate',
    'schedule',
    'weightDecay',
    'labelSmoothing',
    'augment',
    'seed',
    'checkpointEverySteps',
  ],
  properties: {
    data: { type: 'string', minLength: 1 },
    epochs: { type: 'integer', minimum: 1 },
    batchSize: { type: 'integer', minimum: 1 },
    limit: { type: 'integer', minimum: 1 },
    testLimit: { type: 'integer', minimum: 1 },
    optimizer: { enum: ['sgd-nesterov', 'adam'] },
    learningRate: { type: 'number', exclusiveMinimum: 0 },
    schedule: { enum: ['cosine', 'step', 'constant'] },
    weightDecay: { type: 'number', minimum: 0 },
    labelSmoothing: { type: 'number', minimum: 0, maximum: 1 },
    augment: { type: 'boolean' },
    seed: { type: 'integer' },
    checkpointEverySteps: { type: 'integer', minimum: 0 },
    distillation: {
      type: 'object',
      required: ['teacher', 'kd', 'at', 'temperature', 'labelWeight'],
      properties: {
        teacher: { type: 'string', minLength: 1 },
        kd: { type: 'number', minimum: 0 },
        at: { type: 'number', minimum: 0 },
        temperature: { type: 'number', exclusiveMinimum: 0 },
        labelWeight: { type: 'number', minimum: 0 },
      },
    },
    realWeightEpochs: { type: 'integer', minimum: 1 },
  } satisfies Record<keyof Required<TrainingOptions>, object>,
} as const;
