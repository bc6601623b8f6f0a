import * as tf from '../util/tfjs.js';

/**
 * Mean softmax cross-entropy against integer labels, with optional label smoothing ε:
 * target = (1−ε)·onehot(y) + ε/C  (PyTorch's `CrossEntropyLoss(label_smoothing=ε)`).
 * With `ignoreLabel` (PyTorch's `ignore_index`), rows carrying that label count in neither the
 * sum nor the mean (a batch of only ignored rows has loss 0).
 */
export function softmaxCrossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D, labelSmoothing = 0, ignoreLabel?: number): tf.Scalar {
  return tf.tidy(() => {
    const classes = logits.shape[1];
    let target = tf.oneHot(tf.cast(labels, 'int32'), classes).toFloat();
    if (labelSmoothing > 0) target = tf.add(tf.mul(target, 1 - labelSmoothing), labelSmoothing / classes);
    const logProb = tf.logSoftmax(logits);
    const rows = tf.sum(tf.mul(target, logProb), 1);
    if (ignoreLabel === undefined) return tf.neg(tf.mean(rows)) as tf.Scalar;
    // Segmentation: the mean over the rows (pixels) whose label is not `ignoreLabel`.
    const kept = tf.sub(1, tf.cast(tf.equal(labels, ignoreLabel), 'float32'));
    return tf.div(tf.neg(tf.sum(tf.mul(rows, kept))), tf.maximum(tf.sum(kept), 1)) as tf.Scalar;
  });
}
