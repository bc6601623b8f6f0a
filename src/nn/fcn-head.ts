import * as tf from '../util/tfjs.js';
import { bilinearWeights } from '../util/bilinear-weights.js';
import type { FcnHead } from '../space/arch.js';
import { Dense } from './layers/dense.js';
import type { Scope } from './parameters.js';

/**
 * The FCN head of a segmentation network (Long et al.; Group-Net §4.4), full precision:
 *
 *   32s: scores = up(classifier(last), H×W)
 *   16s: scores = up(up(classifier(last), h_s×w_s) + skip(skipMap), H×W)
 *
 * `classifier` and `skip` are 1×1 convs with bias (a Dense layer applied at every pixel; names
 * `head.classifier.*`, `head.skip.*`), `skipMap` the mean of the bases' outputs after the
 * second-to-last stage, and `up` bilinear resampling (util/bilinear-weights.ts) computed as two
 * matrix products, one per axis, so its gradient is two matrix products too. Returns per-pixel
 * logits [N·H·W, classes] in image, row, column order.
 */
export class FcnHeadModule {
  readonly classifier: Dense;
  readonly skip: Dense | undefined;

  constructor(
    scope: Scope,
    readonly kind: FcnHead,
    channels: number,
    skipChannels: number | undefined,
    readonly classes: number,
    readonly output: { height: number; width: number },
  ) {
    this.classifier = new Dense(scope.child('classifier'), channels, classes);
    this.skip = kind === '16s' && skipChannels !== undefined ? new Dense(scope.child('skip'), skipChannels, classes) : undefined;
  }

  apply(last: tf.Tensor4D, skipMap: tf.Tensor4D | undefined): tf.Tensor2D {
    let scores = pixelwise(this.classifier, last);
    if (this.skip !== undefined) {
      if (skipMap === undefined) throw new Error('FCN-16s head: no skip map');
      const [, h, w] = skipMap.shape;
      scores = tf.add(upsampleBilinear(scores, h, w), pixelwise(this.skip, skipMap)) as tf.Tensor4D;
    }
    const up = upsampleBilinear(scores, this.output.height, this.output.width);
    return tf.reshape(up, [-1, this.classes]) as tf.Tensor2D;
  }
}

/** A Dense layer at every pixel: [N, h, w, c] → [N, h, w, out]. */
function pixelwise(dense: Dense, x: tf.Tensor4D): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const y = dense.apply(tf.reshape(x, [n * h * w, c]) as tf.Tensor2D);
  return tf.reshape(y, [n, h, w, -1]) as tf.Tensor4D;
}

/** Bilinear resize of NHWC maps to height × width (identity when the size already matches). */
export function upsampleBilinear(x: tf.Tensor4D, height: number, width: number): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  if (h === height && w === width) return x;
  const colsT = tf.tensor2d(bilinearWeights(w, width), [width, w]).transpose();
  const rowsT = tf.tensor2d(bilinearWeights(h, height), [height, h]).transpose();
  // Columns: [N, h, C, w] · colsᵀ → [N, h, C, W].
  const byColumn = tf.reshape(tf.transpose(x, [0, 1, 3, 2]), [n * h * c, w]) as tf.Tensor2D;
  const wide = tf.reshape(tf.matMul(byColumn, colsT as tf.Tensor2D), [n, h, c, width]);
  // Rows: [N, W, C, h] · rowsᵀ → [N, W, C, H] → [N, H, W, C].
  const byRow = tf.reshape(tf.transpose(wide, [0, 3, 2, 1]), [n * width * c, h]) as tf.Tensor2D;
  const tall = tf.reshape(tf.matMul(byRow, rowsT as tf.Tensor2D), [n, width, c, height]);
  return tf.transpose(tall, [0, 3, 1, 2]) as tf.Tensor4D;
}
