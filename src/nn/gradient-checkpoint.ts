import * as tf from '../util/tfjs.js';
import { SIGN_CONV2D } from '../util/kernel-names.js';
import type { Arch } from '../space/arch.js';
import { summarize } from '../space/summary.js';
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

/**
 * Tensors a training tape keeps per conv output element of a block: measured on wasm, Group-Net
 * R/2 with K = 5 at batch 64 peaks at a 2.57 GB heap for 124 MB of block conv outputs (20.7×),
 * rounded up for the blocks and teachers that keep more.
 */
const TAPE_BYTES_PER_CONV_OUTPUT_BYTE = 24;

/**
 * The same with the fused training kernels (the sign conv keeps 2 bits per element of its input,
 * batch norm one tensor): Group-Net R with K = 5 at batch 64 peaks at 1.9 GB of process memory
 * for 225 MB of block conv outputs (8.5×), rounded up.
 */
const FUSED_TAPE_BYTES_PER_CONV_OUTPUT_BYTE = 10;

/**
 * What a plain tape may hold: tfjs-backend-wasm's heap ends at 4 GB, and the model, optimizer,
 * data batches and a distillation teacher's forward need the rest.
 */
export const PLAIN_TAPE_BUDGET_BYTES = 3.2e9;

/** Estimated bytes a plain (uncheckpointed) training tape of `arch` keeps for a batch. */
export function plainTapeBytes(arch: Arch, batch: number): number {
  let elements = 0;
  for (const layer of summarize(arch).layers) {
    if (layer.kind !== 'conv' || layer.block === undefined) continue;
    const [h, w, c] = layer.outputShape;
    elements += layer.replicas * h * w * c;
  }
  const fused = tf.getKernel(SIGN_CONV2D, tf.getBackend()) !== undefined;
  return batch * elements * 4 * (fused ? FUSED_TAPE_BYTES_PER_CONV_OUTPUT_BYTE : TAPE_BYTES_PER_CONV_OUTPUT_BYTE);
}

/**
 * What a plain tape may hold in a thread that shares its process's memory with others: a search's
 * evaluation workers train side by side with the supernet's thread (≈1.4 GB on the default config).
 * Group-Net R/2 with K = 5 at batch 64, one training thread: 1062 MB of process memory plain, 462 MB
 * checkpointed, for a step ~15% longer. The default search peaks at 2428 MiB with this budget (2568
 * with twice it, 3780 without).
 */
export const SHARED_TAPE_BUDGET_BYTES = 256 * 2 ** 20;

/** This thread's budget for a plain tape (each worker thread has its own module instance, hence its own budget). */
let tapeBudgetBytes = PLAIN_TAPE_BUDGET_BYTES;

/** Set this thread's budget for a plain tape (default PLAIN_TAPE_BUDGET_BYTES); larger tapes are checkpointed. */
export function setTapeBudget(bytes: number): void {
  if (!(bytes > 0)) throw new RangeError(`tape budget: expected a positive number of bytes, got ${bytes}`);
  tapeBudgetBytes = bytes;
}

/** Checkpoint a training batch only when its plain tape would not fit this thread's budget (it costs a second forward of every block). */
export function needsCheckpointing(arch: Arch, batch: number): boolean {
  return plainTapeBytes(arch, batch) > tapeBudgetBytes;
}
