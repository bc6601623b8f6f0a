import * as tf from '../util/tfjs.js';
import { stopGradient } from '../nn/stop-gradient.js';

/**
 * Logit knowledge distillation (Hinton et al.):
 *   L = T² · mean_batch KL( softmax(z_t/T) ‖ softmax(z_s/T) )
 * The T² keeps gradient magnitudes comparable across temperatures. The teacher's logits are
 * treated as constants (no gradient flows into the teacher).
 */
export function logitKdLoss(studentLogits: tf.Tensor2D, teacherLogits: tf.Tensor2D, temperature: number): tf.Scalar {
  return tf.tidy(() => {
    const t = tf.scalar(temperature);
    const pTeacher = tf.softmax(tf.div(stopGradient(teacherLogits), t));
    const logPTeacher = tf.logSoftmax(tf.div(stopGradient(teacherLogits), t));
    const logPStudent = tf.logSoftmax(tf.div(studentLogits, t));
    const kl = tf.sum(tf.mul(pTeacher, tf.sub(logPTeacher, logPStudent)), 1);
    return tf.mul(tf.mean(kl), temperature * temperature) as tf.Scalar;
  });
}

/**
 * ReActNet's distributional loss: KD at T = 1 against the teacher's output distribution,
 * used without the label term. Identical to `logitKdLoss(s, t, 1)`; named for what configs call it.
 */
export function distributionalLoss(studentLogits: tf.Tensor2D, teacherLogits: tf.Tensor2D): tf.Scalar {
  return logitKdLoss(studentLogits, teacherLogits, 1);
}

/**
 * Attention map of a feature map A (NHWC), as in Zagoruyko & Komodakis / Real-to-Binary:
 * Q = mean over channels of A², flattened per image and L2-normalized.
 */
export function attentionMap(features: tf.Tensor4D): tf.Tensor2D {
  return tf.tidy(() => {
    const [n] = features.shape;
    const q = tf.reshape(tf.mean(tf.square(features), 3), [n, -1]) as tf.Tensor2D;
    const norm = tf.add(tf.norm(q, 'euclidean', 1, true), 1e-8);
    return tf.div(q, norm) as tf.Tensor2D;
  });
}

/**
 * Attention transfer at matching stage outputs: Σ_stages mean_batch ‖Q_s − Q_t‖²
 * (squared difference of the normalized attention maps; spatial sizes must match per stage).
 */
export function attentionTransferLoss(studentFeatures: tf.Tensor4D[], teacherFeatures: tf.Tensor4D[]): tf.Scalar {
  if (studentFeatures.length !== teacherFeatures.length) {
    throw new Error(`attention transfer: student has ${studentFeatures.length} stage outputs, teacher ${teacherFeatures.length}`);
  }
  return tf.tidy(() => {
    let total = tf.scalar(0);
    studentFeatures.forEach((s, i) => {
      const t = teacherFeatures[i]!;
      if (s.shape[1] !== t.shape[1] || s.shape[2] !== t.shape[2]) {
        throw new Error(`attention transfer: stage ${i} spatial size ${s.shape[1]}×${s.shape[2]} (student) vs ${t.shape[1]}×${t.shape[2]} (teacher)`);
      }
      const diff = tf.sub(attentionMap(s), stopGradient(attentionMap(t)));
      total = tf.add(total, tf.mean(tf.sum(tf.square(diff), 1)));
    });
    return total as tf.Scalar;
  });
}
