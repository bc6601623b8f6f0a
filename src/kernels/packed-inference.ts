/** What `groupnas infer` reports about a packed model: test accuracy and measured latency. */
import { UsageError } from '../util/errors.js';
import { createRng } from '../util/random.js';
import type { PackedModel } from './packed-model.js';
import { timeMedian, type TimingOptions } from './timing.js';

export interface PackedAccuracy {
  correct: number;
  total: number;
  accuracy: number;
  /** Predicted class per image. */
  predictions: Int32Array;
}

/** Classify `count` NHWC images (arch input shape) in batches and compare with `labels`. */
export function evaluatePackedModel(model: PackedModel, images: Float32Array, labels: ArrayLike<number>, count: number, batchSize = 64): PackedAccuracy {
  const { height, width, channels } = model.arch.input;
  const size = height * width * channels;
  if (images.length !== count * size || labels.length !== count) {
    throw new UsageError(
      `evaluate: expected ${count} images of ${height}×${width}×${channels} and ${count} labels, got ${images.length / size} and ${labels.length}`,
    );
  }
  const classes = model.arch.head.classes;
  const predictions = new Int32Array(count);
  let correct = 0;
  for (let start = 0; start < count; start += batchSize) {
    const n = Math.min(batchSize, count - start);
    const logits = model.predict(images.subarray(start * size, (start + n) * size), n);
    for (let b = 0; b < n; b++) {
      let best = 0;
      for (let c = 1; c < classes; c++) if (logits[b * classes + c]! > logits[b * classes + best]!) best = c;
      predictions[start + b] = best;
      if (best === labels[start + b]) correct++;
    }
  }
  return { correct, total: count, accuracy: count > 0 ? correct / count : 0, predictions };
}

/**
 * Label every pixel of `count` NHWC images with a segmentation model (FCN head): the argmax of its
 * per-pixel logits (first class on ties, as tfjs's argMax), `count·H·W` classes in image, row, column order.
 */
export function segmentWithPackedModel(model: PackedModel, images: Float32Array, count: number, batchSize = 64): Uint8Array {
  const { height, width, channels } = model.arch.input;
  const size = height * width * channels;
  const pixels = height * width;
  if (model.arch.head.fcn === undefined) throw new UsageError(`${model.arch.name ?? 'model'}: a classifier labels images, not pixels`);
  if (images.length !== count * size) throw new UsageError(`segment: expected ${count} images of ${height}×${width}×${channels}, got ${images.length / size}`);
  const classes = model.arch.head.classes;
  const predictions = new Uint8Array(count * pixels);
  for (let start = 0; start < count; start += batchSize) {
    const n = Math.min(batchSize, count - start);
    const logits = model.predict(images.subarray(start * size, (start + n) * size), n);
    for (let p = 0; p < n * pixels; p++) {
      let best = 0;
      for (let c = 1; c < classes; c++) if (logits[p * classes + c]! > logits[p * classes + best]!) best = c;
      predictions[start * pixels + p] = best;
    }
  }
  return predictions;
}

export interface PackedLatency {
  batch: number;
  /** Median seconds of one `predict` of `batch` images. */
  medianSeconds: number;
  imagesPerSecond: number;
  repeats: number;
}

/** Median latency of `predict` at one batch size on seeded random images (warm-up first). */
export function measurePackedLatency(model: PackedModel, batch: number, options: TimingOptions = {}): PackedLatency {
  const { height, width, channels } = model.arch.input;
  const rng = createRng(1);
  const images = Float32Array.from({ length: batch * height * width * channels }, () => rng());
  const t = timeMedian(() => model.predict(images, batch), { warmUpSeconds: 0.3, seconds: 1, minRepeats: 5, ...options });
  return { batch, medianSeconds: t.medianSeconds, imagesPerSecond: batch / t.medianSeconds, repeats: t.repeats };
}
