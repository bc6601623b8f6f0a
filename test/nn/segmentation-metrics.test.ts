import { describe, expect, it } from 'vitest';
import { ConfusionMatrix } from '../../src/nn/segmentation-metrics.js';

describe('ConfusionMatrix', () => {
  it('gives the hand-computed pixel accuracy, IoU per class and mIoU of a 3-class example', () => {
    // 10 pixels (one ignored). truth → predicted:
    //   class 0: 0→0, 0→0, 0→1        class 1: 1→1, 1→1, 1→2        class 2: 2→2, 2→0        ignored: 255→1
    const labels = [0, 0, 0, 1, 1, 1, 2, 2, 255, 255];
    const predicted = [0, 0, 1, 1, 1, 2, 2, 0, 1, 0];
    const m = new ConfusionMatrix(3);
    m.add(labels, predicted);
    const r = m.metrics();
    // Counted 8 pixels, 5 correct.
    expect(r.pixels).toBe(8);
    expect(r.pixelAccuracy).toBeCloseTo(5 / 8, 12);
    // IoU_0 = TP 2 / (truth 3 + predicted 3 − 2) = 2/4; IoU_1 = 2 / (3 + 3 − 2) = 2/4; IoU_2 = 1 / (2 + 2 − 1) = 1/3.
    expect(r.iou[0]).toBeCloseTo(0.5, 12);
    expect(r.iou[1]).toBeCloseTo(0.5, 12);
    expect(r.iou[2]).toBeCloseTo(1 / 3, 12);
    expect(r.miou).toBeCloseTo((0.5 + 0.5 + 1 / 3) / 3, 12);
  });

  it('takes the argmax of logits per pixel and leaves a class seen nowhere out of the mean', () => {
    const m = new ConfusionMatrix(3);
    // Two pixels, logits for classes 0..2: argmax 1 and 0; labels 1 and 0. Class 2 appears nowhere.
    m.addLogits([1, 0], [0.1, 0.9, 0.0, 2.0, -1.0, 1.0]);
    const r = m.metrics();
    expect(r.iou).toEqual([1, 1, null]);
    expect(r.miou).toBe(1);
  });

  it('refuses a label that is neither a class nor ignored', () => {
    expect(() => new ConfusionMatrix(3).add([7], [0])).toThrow(/label 7/);
  });
});
