import * as tf from '../util/tfjs.js';
import { MIX_BASES } from '../util/kernel-names.js';

/**
 * x_j = Σ_k W[j, k] · out_k for j < K' — the base-mixing step of every group boundary
 * (soft: W = M; aggregate: W = λᵀ as one row) as one op with its own gradient:
 *
 * Forward:  x_j = Σ_k W[j,k] · out_k
 * Backward: ∂out_k = Σ_j W[j,k] · ∂x_j;   ∂W[j,k] = Σ (∂x_j ⊙ out_k)
 *
 * Written as K'·K separate scalar multiplies, the tape would keep a copy of every out_k per
 * multiply (backends such as wasm copy saved tensors); this op keeps each out_k once. A backend
 * that registers the fused kernel (`GroupnasMixBases`: the native one) runs each direction as
 * one call.
 */
export function mixBases(outputs: tf.Tensor4D[], weights: tf.Tensor2D): tf.Tensor4D[] {
  const [rows, cols] = weights.shape;
  if (cols !== outputs.length) throw new Error(`mixBases: ${outputs.length} base outputs for a ${rows}×${cols} matrix`);
  if (tf.getKernel(MIX_BASES, tf.getBackend()) !== undefined) {
    // a variadic kernel takes its inputs as a list (as tfjs' AddN)
    return tf.engine().runKernel(MIX_BASES, [weights, ...outputs] as unknown as tf.NamedTensorMap, {}) as tf.Tensor4D[];
  }
  const op = tf.customGrad((...args) => {
    const save = args.pop() as tf.GradSaveFunc;
    const w = args[0] as tf.Tensor2D;
    const outs = args.slice(1) as tf.Tensor4D[];
    save([w, ...outs]);
    const scalars = tf.unstack(tf.reshape(w, [-1]));
    const mixed = Array.from({ length: rows }, (_, j) => tf.addN(outs.map((o, k) => tf.mul(o, scalars[j * cols + k]!))));
    return {
      value: tf.stack(mixed) as tf.Tensor,
      gradFunc: (dy, saved) => {
        const [ws, ...os] = saved as [tf.Tensor2D, ...tf.Tensor4D[]];
        const dys = tf.split(tf.reshape(dy, [rows, -1]), rows, 0).map((d) => tf.reshape(d, os[0]!.shape));
        const wv = tf.unstack(tf.reshape(ws, [-1]));
        const dOuts = os.map((_, k) => tf.addN(dys.map((d, j) => tf.mul(d, wv[j * cols + k]!))));
        const dW = tf.reshape(tf.stack(dys.flatMap((d) => os.map((o) => tf.sum(tf.mul(d, o))))), [rows, cols]);
        return [dW, ...dOuts];
      },
    };
  });
  const stacked = op(weights, ...outputs);
  const shape = outputs[0]!.shape;
  // tfjs cannot differentiate a split into one piece (its gradient gets a tensor, not a list).
  if (rows === 1) return [tf.reshape(stacked, shape) as tf.Tensor4D];
  // Split as [K', N·H·W·C]: on wasm a rank-2 split is ~2.5× faster than the rank-5 one.
  return tf.split(tf.reshape(stacked, [rows, -1]), rows, 0).map((t) => tf.reshape(t, shape) as tf.Tensor4D);
}
