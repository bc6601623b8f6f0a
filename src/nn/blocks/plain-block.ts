import * as tf from '../../util/tfjs.js';
import type { Scope } from '../parameters.js';
import type { Block, BlockSpec } from './block.js';
import { ConvUnit } from './conv-unit.js';

/**
 * One layer of a plain stack without shortcuts (AlexNet-style backbones of supplement Table S5).
 *
 * Binary: out = BN(conv(q(x)));  full precision: out = ReLU(BN(conv(x))).
 *
 * Names: `unit1.*`.
 */
export class PlainBlock implements Block {
  readonly outChannels: number;
  readonly unit1: ConvUnit;

  constructor(
    scope: Scope,
    readonly spec: BlockSpec,
  ) {
    const { inChannels, width, stride, kernel, dilation, quantizer, convBases, bnMomentum, weights } = spec;
    this.outChannels = width;
    this.unit1 = new ConvUnit(scope.child('unit1'), {
      inChannels,
      outChannels: width,
      kernel,
      stride,
      dilation,
      quantizer,
      bases: convBases,
      bnMomentum,
      weights,
    });
  }

  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    return this.unit1.apply(x, training, { relu: this.spec.quantizer === undefined });
  }
}
