/**
 * DARTS's bilevel optimization (DESIGN §4), alternating one step each:
 *
 * - architecture step on an arch-val batch: α ← Adam(∇α L_arch), L_arch = costLoss(task, E[cost]);
 *   first order uses ∇α at the current w; second order (DARTS eq. 7) the gradient at the virtual
 *   step w' = w − ξ∇w L_train, minus ξ times a finite-difference Hessian-vector product
 *   (∇α L_train(w⁺) − ∇α L_train(w⁻)) / 2ε, w± = w ± ε∇w' L_val.
 * - weight step on a train batch: w ← optimizer(∇w L_train) with α fixed (nn's Trainer); L_train is
 *   the task loss, under the sandwich rule summed over the drawn and the largest path.
 *
 * task = CE, or with a teacher the distillation loss (distill/distillation.ts: CE + kd·KD + at·AT).
 * How α becomes the step's probabilities is its AlphaSampling: softmax(α), or with Gumbel sampling
 * (GDAS) the hard sample drawn for that step, in both steps.
 */
import * as tf from '../util/tfjs.js';
import { attentionBlocks, distillationLoss, type Distillation } from '../distill/index.js';
import { softmaxCrossEntropy } from '../nn/loss.js';
import { IGNORE_LABEL } from '../data/index.js';
import { Adam } from '../nn/optim/adam.js';
import type { Parameter } from '../nn/parameters.js';
import type { LrSchedule } from '../nn/schedule.js';
import { createTrainer, type Trainer } from '../nn/trainer.js';
import type { StateDict } from '../nn/parameters.js';
import type { ArchitectureWeights, ChoiceProbabilities } from './architecture-weights.js';
import { costLoss, type CostObjective } from './cost-objective.js';
import { largestChoices, largestPath } from './sandwich-rule.js';
import { expectedCost, type CostModel } from './cost-model.js';
import { structureWeights, type StructureWeights } from './structure-weights.js';
import type { Supernet, SupernetPass } from './supernet.js';

export interface BilevelOptions {
  weightOptimizer: { type: 'sgd' | 'adam'; lr: number; momentum: number; weightDecay: number };
  weightSchedule: LrSchedule;
  archOptimizer: { lr: number; beta1: number; beta2: number; weightDecay: number };
  order: 'first' | 'second';
  distillation?: Distillation;
  /** Every weight step also trains the largest path (sandwich-rule.ts); its loss is the two paths' sum. */
  sandwich?: boolean;
}

/**
 * How a step turns α into probabilities: softmax(α), or a Gumbel-softmax hard sample (temperature,
 * noise seed). Not to be confused with a decision's Relaxation (space/decision.ts): how the
 * supernet realizes a choice under those probabilities.
 */
export type AlphaSampling = { kind: 'softmax' } | { kind: 'gumbel'; temperature: number; seed: number };

export interface StepResult {
  loss: number;
  accuracy: number;
}

export interface ArchitectureStepResult extends StepResult {
  /** E[cost] under the probabilities of the step's sampling. */
  expectedCost: number;
}

export class BilevelTrainer {
  readonly weights: Trainer;
  private readonly archOptimizer: Adam;
  private readonly archParams: Parameter[];
  private sampling: AlphaSampling = { kind: 'softmax' };
  private archSteps = 0;
  /** Accuracy of the last weight step's batch, captured inside the trainer's loss. */
  private lastHits: tf.Scalar | undefined;
  /** Student stage features of each forward pass of the step in progress, in order (attention transfer). */
  private passFeatures: tf.Tensor4D[][] = [];
  private readonly atBlocks: number[];
  /** Per space variable, its largest choice when the sandwich rule is on. */
  private readonly largest: (number | undefined)[] | undefined;

  constructor(
    readonly supernet: Supernet,
    readonly alpha: ArchitectureWeights,
    readonly costModel: CostModel,
    readonly objective: CostObjective,
    readonly options: BilevelOptions,
  ) {
    const w = options.weightOptimizer;
    this.atBlocks = options.distillation ? attentionBlocks(options.distillation, supernet.layout.template) : [];
    this.largest = options.sandwich ? largestChoices(alpha.space) : undefined;
    const model = {
      // α is fixed in a weight step: the supernet need not form the structure weights' gradients,
      // and draws where a relaxation runs one choice per weight step (keyed by the step count, which a checkpoint keeps).
      // Under the sandwich rule the drawn path's logits and the largest path's are stacked on the batch axis.
      forward: (x: tf.Tensor4D, training: boolean) => {
        this.passFeatures = [];
        const pass = { alphaGradient: false, draw: this.weights.stepCount };
        const drawn = this.probabilities();
        const logits = this.studentLogits(x, training, structureWeights(supernet.layout, drawn), pass);
        if (this.largest === undefined || !training) return logits;
        const largest = this.studentLogits(x, training, structureWeights(supernet.layout, largestPath(drawn, this.largest)), pass);
        return tf.concat([logits, largest], 0);
      },
      trainableParameters: () => supernet.weightParameters(),
    };
    this.weights = createTrainer(model, {
      optimizer: w.type === 'sgd' ? 'sgd-nesterov' : 'adam',
      learningRate: w.lr,
      schedule: options.weightSchedule,
      momentum: w.momentum,
      weightDecay: w.weightDecay,
      loss: (logits, labels, x) => {
        if (this.largest === undefined) {
          this.lastHits = tf.keep(hits(logits, labels));
          return this.task(logits, labels, x);
        }
        const [drawn, largest] = tf.split(logits, 2, 0) as [tf.Tensor2D, tf.Tensor2D];
        this.lastHits = tf.keep(hits(drawn, labels));
        return tf.add(this.task(drawn, labels, x), this.task(largest, labels, x)) as tf.Scalar;
      },
    });
    this.archParams = alpha.parameters();
    const a = options.archOptimizer;
    this.archOptimizer = new Adam(
      this.archParams.map((parameter) => ({ parameter, weightDecay: a.weightDecay })),
      a.beta1,
      a.beta2,
    );
  }

  /** How the following steps sample α. */
  use(sampling: AlphaSampling): void {
    this.sampling = sampling;
  }

  get architectureStepCount(): number {
    return this.archSteps;
  }

  private probabilities(): ChoiceProbabilities {
    const r = this.sampling;
    return r.kind === 'gumbel' ? this.alpha.gumbel(r.temperature, r.seed) : this.alpha.softmax();
  }

  /** Student logits; with attention transfer on, the stage features of the same pass are kept for `task`. */
  private studentLogits(x: tf.Tensor4D, training: boolean, weights: StructureWeights, pass: SupernetPass): tf.Tensor2D {
    if (this.atBlocks.length === 0) return this.supernet.forward(x, training, weights, pass);
    const { logits, features } = this.supernet.forwardWithFeatures(x, training, weights, this.atBlocks, pass);
    this.passFeatures.push(features);
    return logits;
  }

  /** CE, or with a teacher the distillation loss (distill/distillation.ts) over the features of the same pass. */
  private task(logits: tf.Tensor2D, labels: tf.Tensor1D, x: tf.Tensor4D): tf.Scalar {
    const d = this.options.distillation;
    // Segmentation: per-pixel logits and labels; unlabelled pixels count nowhere.
    const ignore = this.supernet.layout.template.head.fcn !== undefined ? IGNORE_LABEL : undefined;
    if (d === undefined) return softmaxCrossEntropy(logits, labels, 0, ignore);
    const features = this.passFeatures.shift() ?? [];
    return distillationLoss({ logits, features }, labels, x, d, this.atBlocks, 0, ignore);
  }

  /** One weight step on a train batch. */
  weightStep(x: tf.Tensor4D, y: tf.Tensor1D): StepResult {
    const loss = this.weights.step(x, y);
    const correct = this.lastHits!.dataSync()[0]!;
    this.lastHits!.dispose();
    this.lastHits = undefined;
    return { loss, accuracy: correct / y.shape[0] };
  }

  /** L_arch at the current weights: task loss on an arch-val batch combined with E[cost]; also reports hits and E[cost]. */
  private archLoss(x: tf.Tensor4D, y: tf.Tensor1D, out: { hits?: tf.Scalar; cost?: tf.Scalar }): tf.Scalar {
    const w = structureWeights(this.supernet.layout, this.probabilities());
    this.passFeatures = [];
    const logits = this.studentLogits(x, true, w, { alphaGradient: true });
    const task = this.task(logits, y, x);
    const cost = expectedCost(this.costModel, w);
    out.hits = tf.keep(hits(logits, y));
    out.cost = tf.keep(cost);
    return costLoss(this.objective, task, cost);
  }

  /**
   * L_train as a weight step sees it (second order's virtual step and its ±ε terms): the task loss of
   * the current α's path, plus the largest path's under the sandwich rule. `alphaGradient: false` when
   * only w is differentiated.
   */
  private trainLoss(x: tf.Tensor4D, y: tf.Tensor1D, alphaGradient: boolean): tf.Scalar {
    const drawn = this.probabilities();
    const pass = { alphaGradient };
    this.passFeatures = [];
    const loss = this.task(this.studentLogits(x, true, structureWeights(this.supernet.layout, drawn), pass), y, x);
    if (this.largest === undefined) return loss;
    const largest = this.studentLogits(x, true, structureWeights(this.supernet.layout, largestPath(drawn, this.largest)), pass);
    return tf.add(loss, this.task(largest, y, x)) as tf.Scalar;
  }

  /** One architecture step on an arch-val batch (`train` is the train batch, used by second order). */
  architectureStep(val: { x: tf.Tensor4D; y: tf.Tensor1D }, train: { x: tf.Tensor4D; y: tf.Tensor1D }): ArchitectureStepResult {
    const alphaVars = this.alpha.logits;
    const out: { hits?: tf.Scalar; cost?: tf.Scalar } = {};
    const lossValue = this.options.order === 'second' ? this.secondOrderGradients(val, train, out) : undefined;
    const value = tf.tidy(() => {
      if (lossValue !== undefined) return lossValue.value;
      const { value, grads } = tf.variableGrads(() => this.archLoss(val.x, val.y, out), alphaVars);
      this.applyArchGradients(alphaVars.map((v) => grads[v.name]!));
      return value;
    });
    if (lossValue !== undefined) {
      this.applyArchGradients(lossValue.grads);
      tf.dispose(lossValue.grads);
    }
    const loss = value.dataSync()[0]!;
    const correct = out.hits!.dataSync()[0]!;
    const cost = out.cost!.dataSync()[0]!;
    tf.dispose([value, out.hits!, out.cost!]);
    this.archSteps++;
    return { loss, accuracy: correct / val.y.shape[0], expectedCost: cost };
  }

  private applyArchGradients(grads: tf.Tensor[]): void {
    tf.tidy(() => {
      const byName = new Map(this.archParams.map((p, i) => [p.name, grads[i]!]));
      this.archOptimizer.apply(byName, this.options.archOptimizer.lr, this.archSteps);
    });
  }

  /** DARTS second-order α gradient (returns the loss at w' and the gradients; restores w and BN buffers). */
  private secondOrderGradients(
    val: { x: tf.Tensor4D; y: tf.Tensor1D },
    train: { x: tf.Tensor4D; y: tf.Tensor1D },
    out: { hits?: tf.Scalar; cost?: tf.Scalar },
  ): { value: tf.Scalar; grads: tf.Tensor[] } {
    const params = this.supernet.params.list();
    const trainable = this.supernet.weightParameters();
    const vars = trainable.map((p) => p.variable);
    const saved: StateDict = Object.fromEntries(params.map((p) => [p.name, tf.clone(p.variable)]));
    const xi = this.weights.currentLearningRate();
    try {
      // w' = w − ξ ∇w L_train(w, α)
      tf.tidy(() => {
        const { grads } = tf.variableGrads(() => this.trainLoss(train.x, train.y, false), vars);
        for (const p of trainable) p.variable.assign(tf.sub(p.variable, tf.mul(grads[p.variable.name]!, xi)));
      });
      // ∇α L_val(w', α) and ∇w' L_val(w', α)
      const all = [...this.alpha.logits, ...vars];
      const { value, grads } = tf.variableGrads(() => this.archLoss(val.x, val.y, out), all);
      const alphaGrads = this.alpha.logits.map((v) => grads[v.name]!);
      const dw = vars.map((v) => grads[v.name]!);
      const norm = tf.tidy(() => Math.sqrt(tf.addN(dw.map((g) => tf.sum(tf.square(g)))).dataSync()[0]!));
      const eps = 0.01 / Math.max(norm, 1e-12);
      const alphaGradAt = (sign: number): tf.Tensor[] => {
        tf.tidy(() => trainable.forEach((p, i) => p.variable.assign(tf.add(saved[p.name]!, tf.mul(dw[i]!, sign * eps)))));
        return tf.tidy(() => {
          const r = tf.variableGrads(() => this.trainLoss(train.x, train.y, true), this.alpha.logits);
          return this.alpha.logits.map((v) => r.grads[v.name]!);
        });
      };
      const plus = alphaGradAt(1);
      const minus = alphaGradAt(-1);
      const combined = tf.tidy(() => alphaGrads.map((g, i) => tf.sub(g, tf.mul(tf.sub(plus[i]!, minus[i]!), xi / (2 * eps)))));
      tf.dispose([...alphaGrads, ...dw, ...plus, ...minus]);
      tf.dispose(Object.values(grads).filter((g) => !g.isDisposed));
      return { value, grads: combined };
    } finally {
      for (const p of params) p.variable.assign(saved[p.name]!);
      tf.dispose(Object.values(saved));
    }
  }

  /** α optimizer slots (for checkpoints). */
  archOptimizerState(): StateDict {
    return this.archOptimizer.state();
  }

  loadArchOptimizerState(state: StateDict, steps: number, source: string): void {
    this.archOptimizer.loadState(state, source);
    this.archSteps = steps;
  }

  dispose(): void {
    this.weights.dispose();
    this.archOptimizer.dispose();
  }
}

function hits(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), tf.cast(labels, 'int32')), 'float32')) as tf.Scalar);
}
