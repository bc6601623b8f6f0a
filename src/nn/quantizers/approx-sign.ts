import * as tf from '../../util/tfjs.js';
import { approxSignSlope, signPlusOne } from './sign.js';

const approxSignOp = tf.customGrad((x, save) => {
  const input = x as tf.Tensor;
  (save as tf.GradSaveFunc)([input]);
  return {
    value: signPlusOne(input),
    gradFunc: (dy, saved) => tf.tidy(() => tf.mul(dy, approxSignSlope(saved[0]!))),
  };
});

/**
 * Sign with Bi-Real Net's piecewise-polynomial gradient (Liu et al. 2018; larq `approx_sign`).
 *
 * Forward:  q(x) = +1 if x ≥ 0 else −1   (sign(0) = +1)
 * Backward: ∂q/∂x = 2 − 2|x| if |x| ≤ 1 else 0
 *           (the derivative of the smooth approximation  F(x) = 2x + x², x∈[−1,0);  2x − x², x∈[0,1];  ±1 outside)
 *
 * A closer fit to sign than `steSign` near 0; an alternative for 1-bit activations.
 */
export function approxSign<T extends tf.Tensor>(x: T): T {
  return approxSignOp(x) as T;
}
