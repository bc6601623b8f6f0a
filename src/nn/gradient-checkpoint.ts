import * as tf from '../util/tfjs.js';
import { withRunningStatisticsFrozen } from './layers/batch-norm.js';

/**
 * Run `f(x)` (a block of a base, reading `params`) as one taped op that keeps only its input and
 * recomputes its inside during the backward pass (gradient checkpointing, as torch.utils.checkpoint):
 *
 * Forward:  y = f(x), inner ops untaped; the tape keeps x.
 * Backward: recompute f under a local tape and return ∂(Σ y·dy)/∂(x, params); BN running
 *           statistics are not moved a second time.
 *
 * tfjs keeps every saved tensor and every intermediate gradient of the tape until the whole
 * backward pass ends, so a Group-Net with K = 5 bases holds ~20 activation-sized tensors per unit;
 * checkpointed, one per block. The price is one extra forward of each block.
 */
export function gradientCheckpoint(f: (x: tf.Tensor4D) => tf.Tensor4D, x: tf.Tensor4D, params: tf.Variable[]): tf.Tensor4D {
  const op = tf.customGrad((...args) => {
    const save = args.pop() as tf.GradSaveFunc;
    const input = args[0] as tf.Tensor4D;
    save([input]);
    return {
      value: f(input),
      gradFunc: (dy, saved) =>
        tf.tidy(() => {
          const xs = saved[0] as tf.Tensor4D;
          return withOuterTapeKept(() => withRunningStatisticsFrozen(() => tf.grads((xx: tf.Tensor) => f(xx as tf.Tensor4D))([xs, ...params], dy)));
        }),
    };
  });
  return op(x, ...params) as tf.Tensor4D;
}

/**
 * A first-order tf.grads inside a backward pass replaces the engine's tape with its own and
 * clears it when done, so the outer backward could no longer free its saved tensors (and throws).
 * Keep the outer tape aside while the inner one runs.
 */
function withOuterTapeKept<T>(f: () => T): T {
  const state = tf.engine().state;
  const outer = state.activeTape;
  try {
    return f();
  } finally {
    state.activeTape = outer;
  }
}
