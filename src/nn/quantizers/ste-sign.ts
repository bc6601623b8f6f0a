import * as tf from '../../util/tfjs.js';
import { insideClip, signPlusOne } from './sign.js';

const steSignOp = tf.customGrad((x, save) => {
  const input = x as tf.Tensor;
  (save as tf.GradSaveFunc)([input]);
  return {
    value: signPlusOne(input),
    gradFunc: (dy, saved) => tf.mul(dy, insideClip(saved[0]!, 1)),
  };
});

/**
 * Sign with the straight-through estimator (BinaryConnect / XNOR-Net; larq `ste_sign`).
 *
 * Forward:  q(x) = +1 if x ≥ 0 else −1   (sign(0) = +1)
 * Backward: ∂q/∂x = 1 if |x| ≤ 1 else 0   (the gradient of clip(x, −1, 1), "clipped STE")
 *
 * Used for 1-bit activations and, scaled, for weights (`magnitudeAwareSign`).
 */
export function steSign<T extends tf.Tensor>(x: T): T {
  return steSignOp(x) as T;
}
