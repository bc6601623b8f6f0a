/**
 * Mini-batches as tfjs tensors, wrapping the typed batches (same order, same augmentation).
 *
 * Ownership: every yielded batch owns two new tensors, `x` and `y`. The consumer must
 * dispose them (`disposeBatch(batch)` or `tf.dispose([batch.x, batch.y])`) once done,
 * otherwise each batch leaks its memory. Nothing else is allocated between batches.
 */
import * as tf from '../util/tfjs.js';
import { typedBatches, typedBatchStream, type BatchOptions, type BatchPosition, type TypedBatch } from './batches.js';
import type { ImageSet } from './image-set.js';

export interface TensorBatch<Y extends tf.Tensor1D | tf.Tensor2D = tf.Tensor1D> {
  /** `[size, height, width, channels]` float32. */
  x: tf.Tensor4D;
  /** int32 class indices `[size]`, or float32 one-hot `[size, classes]`. */
  y: Y;
  size: number;
  epoch: number;
  index: number;
}

export interface OneHotBatchOptions extends BatchOptions {
  /** Number of classes: yield one-hot float32 labels of this width. */
  oneHot: number;
}

/** Wrap a typed batch as tensors (int32 labels). */
export function toTensorBatch(batch: TypedBatch): TensorBatch<tf.Tensor1D>;
/** Wrap a typed batch as tensors with one-hot labels of `oneHot` classes. */
export function toTensorBatch(batch: TypedBatch, oneHot: number): TensorBatch<tf.Tensor2D>;
export function toTensorBatch(batch: TypedBatch, oneHot?: number): TensorBatch<tf.Tensor1D | tf.Tensor2D> {
  const x = tf.tensor4d(batch.x, batch.shape, 'float32');
  let y: tf.Tensor1D | tf.Tensor2D;
  if (oneHot === undefined) {
    y = tf.tensor1d(batch.labels, 'int32');
  } else {
    // Built on the CPU so no intermediate tensor needs disposing.
    const values = new Float32Array(batch.size * oneHot);
    for (let i = 0; i < batch.size; i++) {
      const label = batch.labels[i]!;
      if (label >= oneHot) throw new RangeError(`label ${label} does not fit ${oneHot} one-hot classes`);
      values[i * oneHot + label] = 1;
    }
    y = tf.tensor2d(values, [batch.size, oneHot], 'float32');
  }
  return { x, y, size: batch.size, epoch: batch.epoch, index: batch.index };
}

/** The batches of one epoch as tensors with one-hot labels (see typedBatches for order and resume). */
export function tensorBatches(
  set: ImageSet,
  options: OneHotBatchOptions,
  epoch: number,
  startBatch?: number,
): Generator<TensorBatch<tf.Tensor2D>>;
/** The batches of one epoch as tensors with int32 labels (see typedBatches for order and resume). */
export function tensorBatches(set: ImageSet, options: BatchOptions, epoch: number, startBatch?: number): Generator<TensorBatch<tf.Tensor1D>>;
export function* tensorBatches(
  set: ImageSet,
  options: BatchOptions & { oneHot?: number },
  epoch: number,
  startBatch = 0,
): Generator<TensorBatch<tf.Tensor1D | tf.Tensor2D>> {
  for (const batch of typedBatches(set, options, epoch, startBatch)) {
    yield options.oneHot === undefined ? toTensorBatch(batch) : toTensorBatch(batch, options.oneHot);
  }
}

/** The endless stream across epochs (see typedBatchStream) as tensors with one-hot labels. */
export function tensorBatchStream(set: ImageSet, options: OneHotBatchOptions, from?: BatchPosition): Generator<TensorBatch<tf.Tensor2D>>;
/** The endless stream across epochs (see typedBatchStream) as tensors with int32 labels. */
export function tensorBatchStream(set: ImageSet, options: BatchOptions, from?: BatchPosition): Generator<TensorBatch<tf.Tensor1D>>;
export function* tensorBatchStream(
  set: ImageSet,
  options: BatchOptions & { oneHot?: number },
  from?: BatchPosition,
): Generator<TensorBatch<tf.Tensor1D | tf.Tensor2D>> {
  for (const batch of typedBatchStream(set, options, from)) {
    yield options.oneHot === undefined ? toTensorBatch(batch) : toTensorBatch(batch, options.oneHot);
  }
}

/** Free a batch's tensors. */
export function disposeBatch(batch: TensorBatch<tf.Tensor1D | tf.Tensor2D>): void {
  tf.dispose([batch.x, batch.y]);
}
