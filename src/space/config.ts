/**
 * The search configuration (`configs/*.json`): one file says what to search, on what data, at
 * what cost, and how to train. Its JSON Schema (`schemas/config.schema.json`) fills every omitted
 * field with its default, so a loaded `SearchConfig` is complete. A test proves this type and the
 * schema list the same fields.
 */
import type { ActivationBits, BlockKind } from './arch.js';
import type { Boundary } from './draft.js';

export interface SearchConfig {
  format: 'groupnas.config';
  version: 1;
  name?: string;
  /** One seed for every random choice. */
  seed: number;
  data: DataConfig;
  backbone: BackboneConfig;
  space: SpaceConfig;
  teacher: TeacherConfig;
  search: SearchHyperparameters;
  cost: CostObjectiveConfig;
  evaluation: EvaluationConfig;
  training: TrainingConfig;
  distillation: DistillationConfig;
}

export interface DataConfig {
  /** `embedded`, `debian` or a directory of idx / CIFAR-10 files (same as `--data`). */
  dataset: string;
  /** At most this many training / test images; 0 = all. */
  trainLimit: number;
  testLimit: number;
  /** Fraction of the training images held out for α updates. */
  archValFraction: number;
  augment: boolean;
}

export interface BackboneConfig {
  name: 'resnet-r' | 'bottleneck-r' | 'plain-r' | 'resnet18' | 'resnet34' | 'resnet50' | 'alexnet';
  widthMultiplier: number;
  classes?: number;
  /** Semantic segmentation: the FCN twin of the backbone (see segmentation-backbone.ts); `classes` is then the label count. */
  segmentation?: {
    fcn: '32s' | '16s';
    /** The scenes' size (the data set's images). */
    input: { height: number; width: number; channels: number };
    lastDilations: [number, number];
  };
}

export type DecisionConfig =
  | { type: 'bases'; choices?: number[]; sites?: number[] }
  | { type: 'groupBoundary'; choices?: Boundary[]; sites?: number[] }
  | { type: 'stageWidth'; choices?: number[]; sites?: number[] }
  | { type: 'activationBits'; choices?: ActivationBits[]; sites?: number[] }
  | { type: 'dilation'; choices?: number[]; sites?: number[] }
  | { type: 'baseDilations'; choices?: number[][]; sites?: number[] }
  | { type: 'blockOp'; choices?: BlockKind[]; sites?: number[] };

export interface SpaceConfig {
  /** Preset giving the starting structure. */
  template: string;
  decisions: DecisionConfig[];
  constraints: BudgetConfig;
}

export interface BudgetConfig {
  maxBops?: number;
  maxFloatMacs?: number;
  /** Needs a latency cost function (the kernels' LUT). */
  maxLatencyMs?: number;
}

export interface TeacherConfig {
  mode: 'train' | 'load' | 'none';
  /** Checkpoint to load (mode `load`). */
  path?: string;
  epochs: number;
}

export interface SearchHyperparameters {
  /**
   * `supernet` (DARTS), or a baseline whose architectures the same evaluator trains: `random` (uniform
   * samples within the cost target) or `evolution` (regularized evolution from such samples).
   */
  strategy: 'supernet' | 'random' | 'evolution';
  /** Architectures a random or evolution search trains; 0 = the supernet search's budget (searchSamples). */
  samples: number;
  /** Evolution: architectures alive at once (the youngest); 0 = half the samples, at least 2. */
  population: number;
  /** Evolution: members drawn per tournament, the best of them the parent; 0 = a quarter of the population, at least 2. */
  tournament: number;
  epochs: number;
  /** Epochs updating only the weights before α moves. */
  warmupEpochs: number;
  batchSize: number;
  /** DARTS first-order, or second-order (finite differences). */
  order: 'first' | 'second';
  gumbel: { enabled: boolean; temperature: number; minTemperature: number };
  /** Adam on α. */
  archOptimizer: { lr: number; beta1: number; beta2: number; weightDecay: number };
  weightOptimizer: { type: 'sgd' | 'adam'; lr: number; momentum: number; weightDecay: number };
  /** Stop when the mean α entropy falls below this; 0 = off. */
  entropyStop: number;
  /** One α step every this many weight steps (1 = DARTS' alternation; ProxylessNAS' grad_update_arch_param_every). */
  archEvery: number;
  /** Every weight step also trains the largest path (prefix-mask decisions at their largest choice): the sandwich rule. */
  sandwich: boolean;
}

export interface CostObjectiveConfig {
  /** FBNet `CE·scale·(log E[cost])^exponent`, or `CE + weight·E[cost]/target`, or no cost term. */
  objective: 'multiplicative' | 'additive' | 'none';
  metric: 'latency' | 'bops';
  /** Latency in ms or BOPs; this or `relativeTarget` is required unless the objective is `none`. */
  target?: number;
  /**
   * The target as a fraction of the template architecture's cost, priced when the search starts
   * (latency from this machine's table): a target that means the same on every machine. Used
   * when `target` is absent.
   */
  relativeTarget?: number;
  scale: number;
  exponent: number;
  weight: number;
}

export interface EvaluationConfig {
  /** Distinct top architectures to derive, train from scratch and measure. */
  candidates: number;
  workers: number;
  /** Final training epochs per candidate. */
  epochs: number;
  engine: 'auto' | 'js' | 'wasm' | 'native';
  latencyRepeats: number;
  /** A Redis URL: the candidates become jobs for `groupnas worker` processes (src/queue) instead of this host's threads. */
  queue?: string;
}

export interface TrainingConfig {
  optimizer: 'sgd' | 'adam';
  lr: number;
  momentum: number;
  nesterov: boolean;
  schedule: 'cosine' | 'step' | 'constant';
  warmupEpochs: number;
  epochs: number;
  batchSize: number;
  labelSmoothing: number;
  weightDecay: number;
  /** Staged training of candidates and presets (Real-to-Binary): epochs of stage 1 (real weights); 0 = off. */
  stagedEpochs: number;
}

export interface DistillationConfig {
  /** Weight of the logit KD loss. */
  kd: number;
  /** Weight of the attention-transfer loss. */
  at: number;
  temperature: number;
}
