/**
 * y = Σ_k c_k · map_k as one fused op: the forward keeps only y, not the K scaled maps an
 * addN-of-muls leaves on the gradient tape (at K = 5 a boundary would hold 30 maps instead of 5).
 * Backward: ∂/∂map_k = c_k · dy,  ∂/∂c_k = Σ dy · map_k.
 */
import * as tf from '../util/tfjs.js';

const fused = tf.customGrad((...args) => {
  const save = args.pop() as tf.GradSaveFunc;
  const [coefficients, ...maps] = args as [tf.Tensor1D, ...tf.Tensor4D[]];
  save([coefficients, ...maps]);
  return {
    value: tf.tidy(() => {
      const c = tf.unstack(coefficients);
      return tf.addN(maps.map((m, k) => tf.mul(m, c[k]!)));
    }),
    gradFunc: (dy, saved) =>
      tf.tidy(() => {
        const [c, ...ms] = saved as [tf.Tensor1D, ...tf.Tensor4D[]];
        const cs = tf.unstack(c);
        const dc = tf.stack(ms.map((m) => tf.sum(tf.mul(dy as tf.Tensor, m))));
        return [dc, ...ms.map((_, k) => tf.mul(dy as tf.Tensor, cs[k]!))];
      }),
  };
});

/** Σ_k coefficients[k] · maps[k] (coefficients [K], differentiable in both). */
export function mixMaps(maps: readonly tf.Tensor4D[], coefficients: tf.Tensor1D): tf.Tensor4D {
  if (maps.length !== coefficients.size) throw new Error(`mixMaps: ${coefficients.size} coefficients for ${maps.length} maps`);
  return fused(coefficients, ...maps) as tf.Tensor4D;
}
