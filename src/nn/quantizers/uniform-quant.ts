import * as tf from '@tensorflow/tfjs';
import { UsageError } from '../../util/errors.js';

/**
 * k-bit uniform activation quantizer of the Group-Net supplement (S4.1; DoReFa-style, β fixed).
 *
 * Forward:  y' = clip(y, 0, β);   q(y) = round(y' · (2^k − 1)/β) · β/(2^k − 1)
 *           (round half to even, as tf.round and torch.round; the packed engine must match)
 * Backward: ∂q/∂y = 1 if 0 ≤ y ≤ β else 0   (straight-through inside the clip range,
 *           the gradient of the clip outside it)
 *
 * Levels: {0, β/(2^k−1), …, β}; bit plane i of a level index carries weight 2^i·β/(2^k−1).
 * Meant to follow a ReLU (order Conv → BN → ReLU → Quantize).
 */
export function uniformQuant<T extends tf.Tensor>(y: T, bits: number, beta: number): T {
  if (!Number.isInteger(bits) || bits < 2 || bits > 16) {
    throw new UsageError(`uniformQuant: bits: expected an integer 2..16, got ${bits}`);
  }
  if (!(beta > 0) || !Number.isFinite(beta)) {
    throw new UsageError(`uniformQuant: beta: expected a finite number > 0, got ${beta}`);
  }
  const levels = 2 ** bits - 1;
  const op = tf.customGrad((x, save) => {
    const input = x as tf.Tensor;
    (save as tf.GradSaveFunc)([input]);
    return {
      value: tf.tidy(() => tf.mul(tf.round(tf.mul(tf.clipByValue(input, 0, beta), levels / beta)), beta / levels)),
      gradFunc: (dy, saved) =>
        tf.tidy(() => {
          const s = saved[0]!;
          const inside = tf.cast(tf.logicalAnd(tf.greaterEqual(s, 0), tf.lessEqual(s, beta)), 'float32');
          return tf.mul(dy, inside);
        }),
    };
  });
  return op(y) as T;
}
