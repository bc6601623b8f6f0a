import * as tf from '../../util/tfjs.js';
import { quantizeActivation, type ActivationQuantizer } from '../activation.js';
import { BatchNorm } from '../layers/batch-norm.js';
import { applyEpilogue, type BatchNormEpilogue } from '../layers/batch-norm-training.js';
import type { Scope } from '../parameters.js';
import type { WeightMode } from '../weight-mode.js';
import { binaryUnitInference } from './binary-unit-inference.js';
import { DecomposedConv } from './decomposed-conv.js';

export interface ConvUnitOptions {
  inChannels: number;
  outChannels: number;
  kernel: number;
  stride: number;
  dilation: number;
  /** Input quantizer; undefined = full precision (float weights, no quantizer). */
  quantizer: ActivationQuantizer | undefined;
  /** Convs per layer (LBD); 1 otherwise. */
  bases: number;
  bnMomentum: number;
  /** Weights of a quantized unit's conv: α·sign(W) (default) or the latent float W (staged training, stage 1). */
  weights?: WeightMode;
}

/**
 * `quantize → conv → BN` (binary: weights α·sign(W), input sign or k-bit) or `conv → BN` (float).
 * With `weights: 'real'` a quantized unit keeps its input quantizer but convolves with the latent W.
 * Non-linearity and shortcut belong to the block. Names: `conv.*`, `bn.*`.
 */
export class ConvUnit {
  readonly conv: DecomposedConv;
  readonly bn: BatchNorm;

  constructor(
    scope: Scope,
    readonly options: ConvUnitOptions,
  ) {
    const { inChannels, outChannels, kernel, stride, dilation, quantizer, bases } = options;
    const binary = quantizer !== undefined && (options.weights ?? 'binary') === 'binary';
    this.conv = new DecomposedConv(scope.child('conv'), { inChannels, outChannels, kernel, stride, dilation, binary }, bases);
    this.bn = new BatchNorm(scope.child('bn'), outChannels, options.bnMomentum);
  }

  /** The unit's output, plus the epilogue's residual and ReLU (inside BN's op in training, where the kernels fuse them). */
  apply(x: tf.Tensor4D, training: boolean, epilogue: BatchNormEpilogue = {}): tf.Tensor4D {
    const q = this.options.quantizer;
    // Inference of a binary unit: the packed engine's exact arithmetic (see binaryUnitInference).
    if (!training && q !== undefined && this.conv.convs[0]!.options.binary) {
      return tf.tidy(() => applyEpilogue(binaryUnitInference(x, q, this.conv, this.bn), epilogue));
    }
    // sign with the clipped STE, the conv and (in training) BN are one op (native kernels fuse them)
    if (q?.kind === 'sign' && q.estimator === 'ste') {
      if (!training) return this.bn.apply(this.conv.applyToSign(x), training, epilogue);
      return applyEpilogue(this.bn.record(this.conv.applyToSignNormalized(x, this.bn, epilogue.residual)), { relu: epilogue.relu });
    }
    const input = q === undefined ? x : quantizeActivation(x, q);
    return this.bn.apply(this.conv.apply(input), training, epilogue);
  }
}
