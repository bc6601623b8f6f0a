import * as tf from '../../util/tfjs.js';
import type { ActivationQuantizer } from '../activation.js';
import type { BatchNorm } from '../layers/batch-norm.js';
import { channelScale } from '../quantizers/magnitude-aware-sign.js';
import { signPlusOne } from '../quantizers/sign.js';
import { uniformLevels } from '../quantizers/uniform-quant.js';
import type { DecomposedConv } from './decomposed-conv.js';

/**
 * Inference of a binary unit `quantize → conv → BN` in the packed engine's arithmetic (DESIGN §5),
 * so the packed engine (src/kernels) can reproduce it bit for bit. Training computes
 * BN(conv(q(x), α·sign(W))) in float, whose rounding depends on the backend's summation order; a
 * k-bit level near a rounding edge then differs by one step between that and the packed engine,
 * and the difference propagates. Here instead:
 *
 *   d_j = conv(levels(x), sign(W_j))                 integers (±1 or level indices 0..2^k−1), exact
 *   inv = γ / √(σ² + ε)
 *   S_j = ((α_j · s_j) · step) · inv                 α_j = mean|W_j|, s_j the LBD scale (absent: 1),
 *   T   = β − μ · inv                                step = β_q/(2^k−1) (1 for ±1 activations)
 *   y   = (d_0·S_0 + T) + d_1·S_1 + …                one multiply-add per channel and conv
 *
 * every step one float32 op (correctly rounded on every backend), in this order. The packed
 * engine's `foldOutputTransform` and output transform follow the same sequence; keep them in step.
 */
export function binaryUnitInference(x: tf.Tensor4D, q: ActivationQuantizer, conv: DecomposedConv, bn: BatchNorm): tf.Tensor4D {
  return tf.tidy(() => {
    const levels = q.kind === 'sign' ? signPlusOne(x) : uniformLevels(x, q.bits, q.beta);
    const { scales, bias } = binaryUnitTransform(q, conv, bn);
    let y: tf.Tensor4D | undefined;
    conv.convs.forEach((c, j) => {
      const term = tf.mul(c.convolve(levels, signPlusOne(c.weight as tf.Tensor4D)), scales[j]!) as tf.Tensor4D;
      y = y === undefined ? (tf.add(term, bias) as tf.Tensor4D) : (tf.add(y, term) as tf.Tensor4D);
    });
    return y!;
  });
}

/**
 * The per-channel constants of `binaryUnitInference`: S_j for each conv j and T, in that function's
 * float32 arithmetic on this backend (the ONNX export writes them as they are, so a runtime that
 * follows the same op sequence reproduces the unit exactly). Caller disposes (or runs in a tidy).
 */
export function binaryUnitTransform(q: ActivationQuantizer, conv: DecomposedConv, bn: BatchNorm): { scales: tf.Tensor1D[]; bias: tf.Tensor1D } {
  return tf.tidy(() => {
    const step = q.kind === 'sign' ? 1 : q.beta / (2 ** q.bits - 1);
    const inv = tf.div(bn.gamma, tf.sqrt(tf.add(bn.runningVar, bn.epsilon)));
    const bias = tf.sub(bn.beta, tf.mul(bn.runningMean, inv)) as tf.Tensor1D;
    const lbdScales = conv.scales === undefined ? undefined : tf.unstack(conv.scales);
    const scales = conv.convs.map((c, j) => {
      const alpha = lbdScales === undefined ? channelScale(c.weight) : tf.mul(channelScale(c.weight), lbdScales[j]!);
      return tf.mul(tf.mul(alpha, step), inv) as tf.Tensor1D;
    });
    return { scales, bias };
  });
}
