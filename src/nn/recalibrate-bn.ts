import * as tf from '../util/tfjs.js';
import { BatchNorm } from './layers/batch-norm.js';

/** Every BatchNorm reachable from a module's fields (walks plain objects and arrays; tensors are leaves). */
export function collectBatchNorms(module: object): BatchNorm[] {
  const found: BatchNorm[] = [];
  const seen = new Set<object>();
  const walk = (value: unknown): void => {
    if (value === null || typeof value !== 'object' || seen.has(value) || value instanceof tf.Tensor) return;
    seen.add(value);
    if (value instanceof BatchNorm) {
      found.push(value);
      return;
    }
    for (const child of Array.isArray(value) ? value : Object.values(value)) walk(child);
  };
  walk(module);
  return found;
}

/**
 * Re-estimate every BatchNorm's running statistics for the current weights: a forward pass in
 * training mode over `batches` with cumulative averaging (momentum 1/(i+1)), weights untouched.
 *
 * When: running statistics (momentum 0.1) describe the weights of the last ~10 steps; after
 * weights change without training steps (a supernet's sub-network, loaded or edited weights) they
 * describe weights that no longer exist. One-shot NAS (SPOS) recalibrates each sub-network so.
 * Short runs too: after 31 Adam steps (R/2 FP twin, 2000 images) inference-mode accuracy was
 * 54.9% against 70.4% with batch statistics, the weights still moving faster than the averages.
 * (A 9% → 49% jump once measured for Group-Net K=3 came from a degenerate stem — sign of a ReLU
 * output — fixed in group-net.ts; after the fix that run gave 53.4% before, 53.2% after.)
 */
export function recalibrateBatchNorm(model: { forward(x: tf.Tensor4D, training: boolean): tf.Tensor }, batches: Iterable<{ x: tf.Tensor4D }>): number {
  const norms = collectBatchNorms(model);
  const saved = norms.map((bn) => bn.momentum);
  let count = 0;
  try {
    for (const { x } of batches) {
      for (const bn of norms) bn.momentum = 1 / (count + 1);
      tf.tidy(() => {
        model.forward(x, true);
      });
      count++;
    }
  } finally {
    norms.forEach((bn, i) => {
      bn.momentum = saved[i]!;
    });
  }
  return count;
}
