import * as tf from '../util/tfjs.js';

/**
 * Mean softmax cross-entropy against integer labels, with optional label smoothing ε:
 * target = (1−ε)·onehot(y) + ε/C  (PyTorch's `CrossEntropyLoss(label_smoothing=ε)`).
 */
export function softmaxCrossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D, labelSmoothing = 0): tf.Scalar {
  return tf.tidy(() => {
    const classes = logits.shape[1];
    let target = tf.oneHot(tf.cast(labels, 'int32'), classes).toFloat();
    if (labelSmoothing > 0) target = tf.add(tf.mul(target, 1 - labelSmoothing), labelSmoothing / classes);
    const logProb = tf.logSoftmax(logits);
    return tf.neg(tf.mean(tf.sum(tf.mul(target, logProb), 1))) as tf.Scalar;
  });
}
