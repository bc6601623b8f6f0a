import type * as tf from '@tensorflow/tfjs';
import { quantizeActivation, type ActivationQuantizer } from '../activation.js';
import { BatchNorm } from '../layers/batch-norm.js';
import type { Scope } from '../parameters.js';
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
}

/**
 * `quantize → conv → BN` (binary: weights α·sign(W), input sign or k-bit) or `conv → BN` (float).
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
    this.conv = new DecomposedConv(scope.child('conv'), { inChannels, outChannels, kernel, stride, dilation, binary: quantizer !== undefined }, bases);
    this.bn = new BatchNorm(scope.child('bn'), outChannels, options.bnMomentum);
  }

  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    const q = this.options.quantizer;
    const input = q === undefined ? x : quantizeActivation(x, q);
    return this.bn.apply(this.conv.apply(input), training);
  }
}
