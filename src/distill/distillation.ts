/**
 * Distillation as one loss (DESIGN §1; Hinton et al., Zagoruyko & Komodakis, Real-to-Binary,
 * ReActNet): a student learns from the labels and from a trained full-precision teacher that sees
 * the same (augmented) batch in inference mode,
 *
 *   loss = labelWeight·CE(student, labels) + kd·T²·KL(teacher_T ‖ student_T) + at·Σ_stages AT
 *
 * with the attention-transfer term over the stage outputs (losses.ts). The teacher's outputs are
 * constants of the step. Training runs (train/) and the supernet's bilevel trainer (search/) both
 * compose their loss here, so a search's students and its candidates learn the same way.
 */
import * as tf from '../util/tfjs.js';
import { softmaxCrossEntropy, stageEndBlocks, type GroupNetModel, type LossFunction, type Parameter, type TrainableModel } from '../nn/index.js';
import type { Arch } from '../space/arch.js';
import { attentionTransferLoss, logitKdLoss } from './losses.js';

/** How much each signal weighs. */
export interface DistillationWeights {
  /** Weight of logit KD, T²·KL(softmax(z_t/T) ‖ softmax(z_s/T)). */
  kd: number;
  /** Weight of attention transfer at every stage output (0 = off). */
  at: number;
  temperature: number;
  /** Weight of the label cross-entropy (default 1; 0 with kd > 0 and T = 1 is ReActNet's distributional loss). */
  labelWeight?: number;
}

/** The weights with the teacher itself (trained, full precision, same backbone: teacher.ts). */
export interface Distillation extends DistillationWeights {
  teacher: GroupNetModel;
}

/** The student's side of one step: its logits and, with attention transfer, its features after `attentionBlocks`. */
export interface StudentOutputs {
  logits: tf.Tensor2D;
  features: tf.Tensor4D[];
}

/** The blocks whose outputs attention transfer compares: every stage's last one (none when `at` is 0). */
export function attentionBlocks(weights: DistillationWeights, student: Arch): number[] {
  return weights.at > 0 ? stageEndBlocks(student) : [];
}

/** The distillation loss of one batch (see the file comment); `atBlocks` as given by attentionBlocks. */
export function distillationLoss(
  student: StudentOutputs,
  labels: tf.Tensor1D,
  x: tf.Tensor4D,
  d: Distillation,
  atBlocks: number[],
  labelSmoothing = 0,
  ignoreLabel?: number,
): tf.Scalar {
  let loss = tf.mul(softmaxCrossEntropy(student.logits, labels, labelSmoothing, ignoreLabel), d.labelWeight ?? 1) as tf.Scalar;
  if (d.kd <= 0 && d.at <= 0) return loss;
  const teacher = d.at > 0 ? d.teacher.forwardWithFeatures(x, false, atBlocks) : { logits: d.teacher.forward(x, false), features: [] };
  if (d.kd > 0) loss = tf.add(loss, tf.mul(logitKdLoss(student.logits, teacher.logits, d.temperature), d.kd));
  if (d.at > 0) loss = tf.add(loss, tf.mul(attentionTransferLoss(student.features, teacher.features), d.at));
  return loss;
}

/**
 * A Group-Net model as a trainer's student: its forward pass also keeps the stage outputs of the
 * current step, so the loss (`loss()`) compares attention maps without a second pass.
 */
export class DistilledStudent implements TrainableModel {
  private stageFeatures: tf.Tensor4D[] = [];
  readonly atBlocks: number[];

  constructor(
    readonly student: GroupNetModel,
    private readonly distillation: Distillation,
  ) {
    this.atBlocks = attentionBlocks(distillation, student.arch);
  }

  forward(x: tf.Tensor4D, training: boolean): tf.Tensor2D {
    if (this.atBlocks.length === 0) return this.student.forward(x, training);
    const { logits, features } = this.student.forwardWithFeatures(x, training, this.atBlocks);
    this.stageFeatures = features;
    return logits;
  }

  trainableParameters(): Parameter[] {
    return this.student.trainableParameters();
  }

  /**
   * The trainer's loss: the distillation loss over the features of the forward pass in progress.
   * A segmentation student distils per pixel (its logits are per pixel); `ignoreLabel` leaves
   * unlabelled pixels out of the label term only, the teacher speaks for every pixel.
   */
  loss(labelSmoothing: number, ignoreLabel?: number): LossFunction {
    return (logits, labels, x) => {
      const features = this.stageFeatures;
      this.stageFeatures = [];
      return distillationLoss({ logits, features }, labels, x, this.distillation, this.atBlocks, labelSmoothing, ignoreLabel);
    };
  }
}
