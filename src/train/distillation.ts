import * as tf from '../util/tfjs.js';
import { attentionTransferLoss, logitKdLoss } from '../distill/losses.js';
import { softmaxCrossEntropy, type GroupNetModel, type LossFunction, type Parameter, type TrainableModel } from '../nn/index.js';
import type { Arch } from '../space/arch.js';
import { UsageError } from '../util/errors.js';

/** How a student learns from its teacher (DESIGN §1; Real-to-Binary, ReActNet). */
export interface DistillationOptions {
  /** Run directory of a trained full-precision teacher (`groupnas teacher` / `groupnas train --preset fp`). */
  teacher: string;
  /** Weight of logit KD, T²·KL(softmax(z_t/T) ‖ softmax(z_s/T)). */
  kd: number;
  /** Weight of attention transfer at every stage output. */
  at: number;
  temperature: number;
  /** Weight of the label cross-entropy (0 with kd>0 and T=1 is ReActNet's distributional loss). */
  labelWeight: number;
}

/** A backbone's shape as distillation sees it: block kinds and strides (widths may differ — they can be searched). */
function backboneShape(a: Arch): string {
  const stem = `stem ${a.stem.kernel}×${a.stem.kernel}/${a.stem.stride}${a.stem.pool ? ` + pool/${a.stem.pool.stride}` : ''}`;
  return [stem, ...a.blocks.map((b) => `${b.kind}/${b.stride}`)].join(', ');
}

/**
 * A teacher fits a student when both see the same images, predict the same classes and share a
 * backbone (same stem and block kinds and strides, so stage outputs align for attention transfer).
 */
export function checkTeacherFits(teacher: Arch, student: Arch, where: string): void {
  const show = (v: unknown) => JSON.stringify(v);
  if (show(teacher.input) !== show(student.input)) {
    throw new UsageError(`${where}: input: the teacher takes ${show(teacher.input)}, the student ${show(student.input)}`);
  }
  if (teacher.head.classes !== student.head.classes) {
    throw new UsageError(`${where}: head.classes: the teacher predicts ${teacher.head.classes} classes, the student ${student.head.classes}`);
  }
  if (backboneShape(teacher) !== backboneShape(student)) {
    throw new UsageError(`${where}: blocks: the teacher's backbone is [${backboneShape(teacher)}], the student's [${backboneShape(student)}]`);
  }
}

/**
 * The student as the trainer sees it: its forward pass also keeps the stage outputs of the
 * current step, so the distillation loss can compare attention maps without a second pass.
 */
export class DistilledStudent implements TrainableModel {
  private stageFeatures: tf.Tensor4D[] = [];

  constructor(readonly student: GroupNetModel) {}

  forward(x: tf.Tensor4D, training: boolean): tf.Tensor2D {
    const { logits, features } = this.student.forwardWithFeatures(x, training);
    this.stageFeatures = features;
    return logits;
  }

  /** Stage outputs of the last forward pass (valid only inside that step's tape). */
  takeFeatures(): tf.Tensor4D[] {
    const f = this.stageFeatures;
    this.stageFeatures = [];
    return f;
  }

  trainableParameters(): Parameter[] {
    return this.student.trainableParameters();
  }
}

/**
 * loss = labelWeight·CE + kd·T²·KL + at·AT. The teacher runs in inference mode on the same
 * (augmented) batch; its outputs are constants of the step.
 */
export function distillationLoss(student: DistilledStudent, teacher: GroupNetModel, o: DistillationOptions, labelSmoothing: number): LossFunction {
  return (logits, labels, x) => {
    const studentFeatures = student.takeFeatures();
    const { logits: teacherLogits, features: teacherFeatures } = teacher.forwardWithFeatures(x, false);
    let loss = tf.mul(softmaxCrossEntropy(logits, labels, labelSmoothing), o.labelWeight) as tf.Scalar;
    if (o.kd > 0) loss = tf.add(loss, tf.mul(logitKdLoss(logits, teacherLogits, o.temperature), o.kd));
    if (o.at > 0) loss = tf.add(loss, tf.mul(attentionTransferLoss(studentFeatures, teacherFeatures), o.at));
    return loss;
  };
}
