/**
 * Names of the kernels groupnas adds to tfjs. As in tfjs, an op (src/nn) calls a kernel by name
 * when the active backend registers one, and computes the same thing from stock ops otherwise;
 * src/backend implements them. Names only: neither side imports the other.
 */

/**
 * Training-mode batch norm over N, H, W of an NHWC tensor. Inputs `x`, `gamma`, `beta`, and
 * optionally `residual` (x's shape, added to y); attributes `epsilon` and `relu` (ReLU on y, after
 * the residual); outputs [y, mean, variance, rstd] (see src/nn/layers/batch-norm-training.ts).
 */
export const BATCH_NORM_TRAINING = 'GroupnasBatchNormTraining';

/**
 * Its gradient. Inputs `dy`, the forward's `x`, `mean`, `gamma`, `rstd`, and `reluY` (y) when the forward applied ReLU;
 * attribute `residualGradient` (with `reluY`: also output the masked dy, the residual's gradient);
 * outputs [dx, dgamma, dbeta] and that fourth one.
 */
export const BATCH_NORM_TRAINING_GRAD = 'GroupnasBatchNormTrainingGrad';

/**
 * The convolution of a binary unit in training: conv2d(sign(x), filter) with the clipped
 * straight-through estimator for x (sign(0) = +1), NHWC. Inputs `x`, `filter`; attributes
 * `strides`, `pad`, `dilations`; outputs [y, bits] with bits = sign(x) and 1{|x| ≤ 1} packed
 * (the only record of x its gradients need; see native/src/sign-conv.c).
 */
export const SIGN_CONV2D = 'GroupnasSignConv2D';

/**
 * Its input gradient. Inputs `dy`, `filter`, `bits` and optionally `addend` (x's shape: added to dx,
 * the gradient x gets from a second use, so that autograd need not add it); attributes as the
 * forward's plus `inputShape`.
 */
export const SIGN_CONV2D_BACKPROP_INPUT = 'GroupnasSignConv2DBackpropInput';

/** Its filter gradient. Inputs `dy`, `bits`; attributes as the forward's plus `inputShape`, `filterShape`. */
export const SIGN_CONV2D_BACKPROP_FILTER = 'GroupnasSignConv2DBackpropFilter';

/**
 * Mixing the bases at a group boundary: x̃_j = Σ_k W[j,k]·x_k. Inputs, as a list (a variadic
 * kernel, like tfjs' AddN): [W [J, K], x_0 … x_{K−1}] (equal shapes); outputs x̃_0 … x̃_{J−1}.
 * See src/nn/mix-bases.ts.
 */
export const MIX_BASES = 'GroupnasMixBases';

/** Its gradient. Inputs [W, x_0 … x_{K−1}, ∂x̃_0 … ∂x̃_{J−1}]; outputs [∂W, ∂x_0 … ∂x_{K−1}]. */
export const MIX_BASES_GRAD = 'GroupnasMixBasesGrad';

/**
 * The supernet's mixed activation quantizer, y = Σ_b p_b·q_b(x) (src/search/mixed-quantizer.ts).
 * Inputs `x`, `p` (one weight per width); attributes `bits` (the widths, 1 = sign), `beta` (the
 * k-bit clip); output y.
 */
export const MIXED_QUANTIZE = 'GroupnasMixedQuantize';

/**
 * Its gradient. Inputs `x`, `dy`, `p`; attributes as the forward's plus `approx` (Bi-Real's sign
 * slope instead of the clipped STE) and `weightsGradient` (false: ∂p is zeros); outputs [∂x, ∂p].
 */
export const MIXED_QUANTIZE_GRAD = 'GroupnasMixedQuantizeGrad';

/**
 * One optimizer update of one parameter (src/nn/optim), fused. Inputs `w`, `grad`, `s0` (and `s1`:
 * the rule's slots in its order); attribute `rule` (see OptimizerStepRule); outputs [w', s0' (, s1')].
 */
export const OPTIMIZER_STEP = 'GroupnasOptimizerStep';

/** An update rule with its constants for one step (`kind`: 0 sgd-nesterov, 1 adam). */
export type OptimizerStepRule =
  | { kind: 0; learningRate: number; weightDecay: number; momentum: number }
  | {
      kind: 1;
      learningRate: number;
      weightDecay: number;
      beta1: number;
      beta2: number;
      oneMinusBeta1: number;
      oneMinusBeta2: number;
      c1: number;
      c2: number;
      epsilon: number;
    };

/**
 * ReLU's gradient, dx = dy · step(x), as one kernel. Inputs `x`, `dy`; output dx. Runs where a
 * backend registers it (the native kernels); elsewhere ReLU keeps tfjs' own Step·Cast·Multiply.
 */
export const RELU_GRAD = 'GroupnasReluGrad';

/**
 * Weight binarization with a per-output-channel scale (src/nn/quantizers/magnitude-aware-sign.ts).
 * Input `w` (the output channel last); outputs [Wb, α]: α_o = mean |W[…, o]|, Wb = α·sign(W).
 */
export const MAGNITUDE_AWARE_SIGN = 'GroupnasMagnitudeAwareSign';

/** Its gradient. Inputs `w`, `dy`, `alpha` (the forward's α); output ∂W = (∂Wb · 1{|W| ≤ 1}) · α. */
export const MAGNITUDE_AWARE_SIGN_GRAD = 'GroupnasMagnitudeAwareSignGrad';

/**
 * Average pooling in training (src/nn/layers/avg-pool.ts): input `x`, AvgPool's attributes; the
 * window's valid pixels averaged like AvgPool, summed in its own order (not XNNPACK's), so that
 * inference, the packed engine and ONNX keep AvgPool itself. Its gradient is AvgPoolGrad.
 */
export const AVG_POOL_TRAINING = 'GroupnasAvgPool';
