/**
 * Segmentation metrics from a confusion matrix, as PASCAL VOC reports them: pixel accuracy,
 * per-class intersection over union IoU_c = TP_c / (TP_c + FP_c + FN_c), and mIoU = the mean of
 * IoU_c over the classes that occur in the labels or the predictions (a class absent from both
 * has no IoU and does not count). Pixels labelled `ignoreLabel` are not counted. Plain arrays,
 * no tensors: the tfjs evaluation and the packed engine's both feed the same `ConfusionMatrix`.
 */
export class ConfusionMatrix {
  /** `counts[truth · classes + predicted]`. */
  readonly counts: Float64Array;

  constructor(
    readonly classes: number,
    readonly ignoreLabel = 255,
  ) {
    this.counts = new Float64Array(classes * classes);
  }

  /** Count one batch of labels against the per-pixel argmax of `logits` (`labels.length` rows of `classes`). */
  addLogits(labels: ArrayLike<number>, logits: ArrayLike<number>): void {
    const c = this.classes;
    const predicted = new Int32Array(labels.length);
    for (let i = 0; i < labels.length; i++) {
      let best = 0;
      for (let k = 1; k < c; k++) if (logits[i * c + k]! > logits[i * c + best]!) best = k;
      predicted[i] = best;
    }
    this.add(labels, predicted);
  }

  /** Count labels against predicted classes, pixel by pixel. */
  add(labels: ArrayLike<number>, predicted: ArrayLike<number>): void {
    for (let i = 0; i < labels.length; i++) {
      const truth = labels[i]!;
      if (truth === this.ignoreLabel) continue;
      if (truth < 0 || truth >= this.classes)
        throw new RangeError(`label ${truth} is neither a class (0..${this.classes - 1}) nor ignored (${this.ignoreLabel})`);
      this.counts[truth * this.classes + predicted[i]!]!++;
    }
  }

  metrics(): SegmentationMetrics {
    const c = this.classes;
    let correct = 0;
    let total = 0;
    const iou: (number | null)[] = [];
    for (let k = 0; k < c; k++) {
      let truth = 0;
      let predicted = 0;
      for (let j = 0; j < c; j++) {
        truth += this.counts[k * c + j]!;
        predicted += this.counts[j * c + k]!;
      }
      const tp = this.counts[k * c + k]!;
      correct += tp;
      total += truth;
      const union = truth + predicted - tp;
      iou.push(union > 0 ? tp / union : null);
    }
    const present = iou.filter((v): v is number => v !== null);
    return {
      pixelAccuracy: total > 0 ? correct / total : 0,
      miou: present.length > 0 ? present.reduce((a, b) => a + b, 0) / present.length : 0,
      iou,
      pixels: total,
    };
  }
}

export interface SegmentationMetrics {
  /** Correct pixels / counted pixels. */
  pixelAccuracy: number;
  /** Mean IoU over the classes with an IoU. */
  miou: number;
  /** IoU per class; null where the class is in neither the labels nor the predictions. */
  iou: (number | null)[];
  /** Pixels counted (ignored ones excluded). */
  pixels: number;
}
