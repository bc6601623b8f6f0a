/**
 * y = Σ_k c_k · map_k as one fused op: the forward keeps only y, not the K scaled maps an
 * addN-of-muls leaves on the gradient tape (at K = 5 a boundary would hold 30 maps instead of 5).
 * Backward: ∂/∂map_k = c_k · dy,  ∂/∂c_k = Σ dy · map_k.
 * When c is a constant of the pass (structure weights in a weight step), the op keeps no map at
 * all: ∂/∂map_k needs only c, and ∂/∂c is not computed (returned as zeros).
 */
import * as tf from '../util/tfjs.js';

function weightedSum(coefficients: tf.Tensor1D, maps: readonly tf.Tensor4D[]): tf.Tensor4D {
  return tf.tidy(() => {
    const c = tf.unstack(coefficients);
    return tf.addN(maps.map((m, k) => tf.mul(m, c[k]!))) as tf.Tensor4D;
  });
}

function mapGradients(dy: tf.Tensor, coefficients: tf.Tensor1D, count: number): tf.Tensor[] {
  const cs = tf.unstack(coefficients);
  return Array.from({ length: count }, (_, k) => tf.mul(dy, cs[k]!));
}

const fused = tf.customGrad((...args) => {
  const save = args.pop() as tf.GradSaveFunc;
  const [coefficients, ...maps] = args as [tf.Tensor1D, ...tf.Tensor4D[]];
  save([coefficients, ...maps]);
  return {
    value: weightedSum(coefficients, maps),
    gradFunc: (dy, saved) =>
      tf.tidy(() => {
        const [c, ...ms] = saved as [tf.Tensor1D, ...tf.Tensor4D[]];
        const dc = tf.stack(ms.map((m) => tf.sum(tf.mul(dy as tf.Tensor, m))));
        return [dc, ...mapGradients(dy as tf.Tensor, c, ms.length)];
      }),
  };
});

const fusedConstant = tf.customGrad((...args) => {
  const save = args.pop() as tf.GradSaveFunc;
  const [coefficients, ...maps] = args as [tf.Tensor1D, ...tf.Tensor4D[]];
  save([coefficients]);
  return {
    value: weightedSum(coefficients, maps),
    gradFunc: (dy, saved) => tf.tidy(() => [tf.zerosLike(saved[0]!), ...mapGradients(dy as tf.Tensor, saved[0] as tf.Tensor1D, maps.length)]),
  };
});

/**
 * a + b keeping nothing for the backward pass (tf.add keeps copies of both operands, only to read
 * their shapes): the residual sums of every block of every base.
 */
const sumOfTwo = tf.customGrad((a, b) => ({
  value: tf.add(a as tf.Tensor, b as tf.Tensor),
  // Distinct tensors per input (the tape may dispose one gradient while the other is in use); a reshape shares the data.
  gradFunc: (dy) => [tf.reshape(dy as tf.Tensor, dy.shape), tf.reshape(dy as tf.Tensor, dy.shape)],
}));

/** a + b for maps of one shape; differentiable in both. */
export function addMaps(a: tf.Tensor4D, b: tf.Tensor4D): tf.Tensor4D {
  if (a.shape.some((n, i) => n !== b.shape[i])) throw new Error(`addMaps: shapes [${a.shape.join(', ')}] and [${b.shape.join(', ')}] differ`);
  return sumOfTwo(a, b) as tf.Tensor4D;
}

/**
 * Σ_k coefficients[k] · maps[k] (coefficients [K], differentiable in both); with
 * `coefficientGradient: false` the coefficients are constants of the pass (zero gradient).
 */
export function mixMaps(maps: readonly tf.Tensor4D[], coefficients: tf.Tensor1D, options: { coefficientGradient?: boolean } = {}): tf.Tensor4D {
  if (maps.length !== coefficients.size) throw new Error(`mixMaps: ${coefficients.size} coefficients for ${maps.length} maps`);
  return ((options.coefficientGradient ?? true) ? fused : fusedConstant)(coefficients, ...maps) as tf.Tensor4D;
}
