import * as tf from '../../util/tfjs.js';
import { UsageError } from '../../util/errors.js';
import { keptByClip } from './sign.js';

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
  checkQuantizer(bits, beta);
  const levels = 2 ** bits - 1;
  const op = tf.customGrad((x, save) => {
    const input = x as tf.Tensor;
    (save as tf.GradSaveFunc)([input]);
    return {
      value: tf.tidy(() => tf.mul(levelIndex(input, levels, beta), beta / levels)),
      gradFunc: (dy, saved) =>
        tf.tidy(() => {
          const s = saved[0]!;
          return tf.mul(dy, keptByClip(s, tf.clipByValue(s, 0, beta)));
        }),
    };
  });
  return op(y) as T;
}

/**
 * The level index round(clip(y, 0, β)·(2^k−1)/β) ∈ {0..2^k−1} of `uniformQuant` (forward only, no
 * gradient): what the packed engine packs as bit planes, so the integer conv on it is exact.
 */
export function uniformLevels<T extends tf.Tensor>(y: T, bits: number, beta: number): T {
  checkQuantizer(bits, beta);
  return tf.tidy(() => levelIndex(y, 2 ** bits - 1, beta));
}

function levelIndex<T extends tf.Tensor>(y: T, levels: number, beta: number): T {
  return clippedLevelIndex(tf.clipByValue(y, 0, beta), levels, beta);
}

/**
 * round(y'·(2^k−1)/β) of an already clipped y' = clip(y, 0, β), with `levels` = 2^k − 1: callers
 * that quantize one input at several k (the supernet's mixed quantizer) clip it once.
 */
export function clippedLevelIndex<T extends tf.Tensor>(clipped: T, levels: number, beta: number): T {
  return tf.round(tf.mul(clipped, levels / beta)) as T;
}

function checkQuantizer(bits: number, beta: number): void {
  if (!Number.isInteger(bits) || bits < 2 || bits > 16) {
    throw new UsageError(`uniformQuant: bits: expected an integer 2..16, got ${bits}`);
  }
  if (!(beta > 0) || !Number.isFinite(beta)) {
    throw new UsageError(`uniformQuant: beta: expected a finite number > 0, got ${beta}`);
  }
}
