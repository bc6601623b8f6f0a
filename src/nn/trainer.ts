import * as tf from '../util/tfjs.js';
import { UsageError } from '../util/errors.js';
import { softmaxCrossEntropy } from './loss.js';
import { ConfusionMatrix, type SegmentationMetrics } from './segmentation-metrics.js';
import { Adam } from './optim/adam.js';
import type { Optimizer, OptimizerKind } from './optim/optimizer.js';
import { SgdNesterov } from './optim/sgd-nesterov.js';
import type { Parameter, StateDict } from './parameters.js';
import { checkSchedule, learningRateAt, type LrSchedule } from './schedule.js';

/** What a trainer needs of a model: a forward pass and its named trainable parameters. */
export interface TrainableModel {
  forward(x: tf.Tensor4D, training: boolean): tf.Tensor2D;
  trainableParameters(): Parameter[];
}

/** The training objective: logits and integer labels (and the input, for distillation) → scalar loss. */
export type LossFunction = (logits: tf.Tensor2D, labels: tf.Tensor1D, x: tf.Tensor4D) => tf.Scalar;

export interface TrainerOptions {
  optimizer: OptimizerKind;
  /** Base learning rate (the schedule scales it). */
  learningRate: number;
  schedule?: LrSchedule;
  /** SGD momentum μ (default 0.9). */
  momentum?: number;
  /** Adam β1, β2 (default 0.9, 0.999). */
  betas?: [number, number];
  /** Coupled L2 decay on conv and dense kernels only (not BN, biases, λ, mixing matrices). Default 0. */
  weightDecay?: number;
  /** Label smoothing ε of the default cross-entropy loss. Default 0. */
  labelSmoothing?: number;
  /** Replaces the default loss (e.g. knowledge distillation); `labelSmoothing` is then unused. */
  loss?: LossFunction;
  /**
   * Segmentation (per-pixel logits and labels): the label no loss or metric counts (255). Set, the
   * default loss skips it and `evaluate` reports pixel accuracy and IoU per class.
   */
  ignoreLabel?: number;
}

export interface EvaluationResult {
  /** Top-1 accuracy in [0, 1] (segmentation: pixel accuracy). */
  accuracy: number;
  /** Mean cross-entropy (no smoothing). */
  loss: number;
  /** Images evaluated. */
  count: number;
  /** Segmentation only: pixel accuracy, IoU per class and mIoU. */
  segmentation?: SegmentationMetrics;
}

/** Everything besides the model's own state dict needed to resume bit-for-bit. */
export interface TrainerState {
  /** Steps taken so far. */
  step: number;
  optimizer: OptimizerKind;
  /** Optimizer slots by `<parameter>/<slot>` (live variables when read from `state()`). */
  slots: StateDict;
}

export interface LabelledBatch {
  x: tf.Tensor4D;
  /** Integer class labels [N]. */
  y: tf.Tensor1D;
}

/**
 * One model, one optimizer, one schedule. `step` runs forward + backward + update on one batch and
 * returns the loss; it leaves no tensors behind. Deterministic given the model's seed, the batches
 * and the backend.
 */
export class Trainer {
  private readonly optimizer: Optimizer;
  private readonly params: Parameter[];
  private readonly schedule: LrSchedule;
  private readonly loss: LossFunction;
  private steps = 0;

  constructor(
    readonly model: TrainableModel,
    readonly options: TrainerOptions,
  ) {
    if (!(options.learningRate > 0)) throw new UsageError(`trainer: learningRate: expected a number > 0, got ${options.learningRate}`);
    const wd = options.weightDecay ?? 0;
    if (!(wd >= 0)) throw new UsageError(`trainer: weightDecay: expected a number ≥ 0, got ${wd}`);
    const smoothing = options.labelSmoothing ?? 0;
    if (!(smoothing >= 0 && smoothing < 1)) throw new UsageError(`trainer: labelSmoothing: expected a number in [0, 1), got ${smoothing}`);
    this.schedule = options.schedule ?? { kind: 'constant' };
    checkSchedule(this.schedule, 'trainer: schedule');
    this.params = model.trainableParameters();
    const optimized = this.params.map((parameter) => ({ parameter, weightDecay: parameter.decay ? wd : 0 }));
    if (options.optimizer === 'sgd-nesterov') {
      this.optimizer = new SgdNesterov(optimized, options.momentum ?? 0.9);
    } else if (options.optimizer === 'adam') {
      const [b1, b2] = options.betas ?? [0.9, 0.999];
      this.optimizer = new Adam(optimized, b1, b2);
    } else {
      throw new UsageError(`trainer: optimizer: expected sgd-nesterov or adam, got ${String(options.optimizer)}`);
    }
    this.loss = options.loss ?? ((logits, labels) => softmaxCrossEntropy(logits, labels, smoothing, options.ignoreLabel));
  }

  /** Steps taken so far (the schedule's position). */
  get stepCount(): number {
    return this.steps;
  }

  /** The learning rate the next step will use. */
  currentLearningRate(): number {
    return learningRateAt(this.options.learningRate, this.schedule, this.steps);
  }

  /** One optimization step on a batch; returns the batch loss (before the update). */
  step(x: tf.Tensor4D, y: tf.Tensor1D): number {
    const lr = this.currentLearningRate();
    const variables = this.params.map((p) => p.variable);
    const lossValue = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => this.loss(this.model.forward(x, true), y, x), variables);
      const byName = new Map<string, tf.Tensor>();
      for (const p of this.params) {
        const g = grads[p.variable.name];
        if (g !== undefined) byName.set(p.name, g);
      }
      this.optimizer.apply(byName, lr, this.steps);
      return value;
    });
    const loss = lossValue.dataSync()[0]!;
    lossValue.dispose();
    this.steps++;
    return loss;
  }

  /** Accuracy and mean loss over batches in inference mode (BN running statistics). */
  evaluate(batches: Iterable<LabelledBatch>): EvaluationResult {
    if (this.options.ignoreLabel !== undefined) return this.evaluateSegmentation(batches, this.options.ignoreLabel);
    let correct = 0;
    let lossSum = 0;
    let count = 0;
    for (const { x, y } of batches) {
      const [hits, loss] = tf.tidy(() => {
        const logits = this.model.forward(x, false);
        const hit = tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), tf.cast(y, 'int32')), 'float32'));
        return [hit, tf.mul(softmaxCrossEntropy(logits, y), y.shape[0])];
      });
      correct += hits!.dataSync()[0]!;
      lossSum += loss!.dataSync()[0]!;
      tf.dispose([hits!, loss!]);
      count += y.shape[0];
    }
    return { accuracy: count === 0 ? 0 : correct / count, loss: count === 0 ? 0 : lossSum / count, count };
  }

  /** Pixel accuracy, IoU per class and the mean per-pixel loss, counting no pixel labelled `ignoreLabel`. */
  private evaluateSegmentation(batches: Iterable<LabelledBatch>, ignoreLabel: number): EvaluationResult {
    let confusion: ConfusionMatrix | undefined;
    let lossSum = 0;
    let count = 0;
    for (const { x, y } of batches) {
      const [logits, loss] = tf.tidy(() => {
        const out = this.model.forward(x, false);
        return [out, softmaxCrossEntropy(out, y, 0, ignoreLabel)];
      });
      confusion ??= new ConfusionMatrix(logits!.shape[1]!, ignoreLabel);
      const labels = y.dataSync();
      const before = confusion.metrics().pixels;
      confusion.addLogits(labels, logits!.dataSync());
      lossSum += loss!.dataSync()[0]! * (confusion.metrics().pixels - before);
      tf.dispose([logits!, loss!]);
      count += x.shape[0];
    }
    const segmentation = (confusion ?? new ConfusionMatrix(2, ignoreLabel)).metrics();
    return { accuracy: segmentation.pixelAccuracy, loss: segmentation.pixels > 0 ? lossSum / segmentation.pixels : 0, count, segmentation };
  }

  /** Step count and optimizer slots (live variables: snapshot them before the next step). */
  state(): TrainerState {
    return { step: this.steps, optimizer: this.optimizer.kind, slots: this.optimizer.state() };
  }

  loadState(state: TrainerState, source = 'trainer state'): void {
    if (state.optimizer !== this.optimizer.kind) {
      throw new UsageError(`${source}: optimizer: expected ${this.optimizer.kind}, got ${state.optimizer}`);
    }
    if (!Number.isInteger(state.step) || state.step < 0) throw new UsageError(`${source}: step: expected an integer ≥ 0, got ${state.step}`);
    this.optimizer.loadState(state.slots, source);
    this.steps = state.step;
  }

  /** Frees the optimizer slots (the model is the caller's). */
  dispose(): void {
    this.optimizer.dispose();
  }
}

export function createTrainer(model: TrainableModel, options: TrainerOptions): Trainer {
  return new Trainer(model, options);
}
