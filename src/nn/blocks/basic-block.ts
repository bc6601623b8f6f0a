import * as tf from '../../util/tfjs.js';
import type { Scope } from '../parameters.js';
import type { Block, BlockSpec } from './block.js';
import { ConvUnit } from './conv-unit.js';
import { Shortcut } from './shortcut.js';

/**
 * ResNet basic block (two k×k convs).
 *
 * Binary (Bi-Real style, DESIGN §3): two units, each with its own shortcut added after BN:
 *   y   = BN(conv1(q(x))) + shortcut(x)     (shortcut: identity, or avg-pool + float conv1×1 + BN)
 *   out = BN(conv2(q(y))) + y
 * where q is sign (1 bit) or ReLU → k-bit uniform quantizer.
 *
 * Full precision (the twin): out = ReLU(BN(conv2(ReLU(BN(conv1(x))))) + shortcut(x)).
 *
 * Names: `unit1.*`, `unit2.*`, `shortcut.*`.
 */
export class BasicBlock implements Block {
  readonly outChannels: number;
  readonly unit1: ConvUnit;
  readonly unit2: ConvUnit;
  readonly shortcut: Shortcut;

  constructor(
    scope: Scope,
    readonly spec: BlockSpec,
  ) {
    const { inChannels, width, stride, kernel, dilation, quantizer, convBases, bnMomentum, weights } = spec;
    this.outChannels = width;
    const common = { kernel, dilation, quantizer, bases: convBases, bnMomentum, weights };
    this.unit1 = new ConvUnit(scope.child('unit1'), { ...common, inChannels, outChannels: width, stride });
    this.unit2 = new ConvUnit(scope.child('unit2'), { ...common, inChannels: width, outChannels: width, stride: 1 });
    this.shortcut = new Shortcut(scope.child('shortcut'), inChannels, width, stride, bnMomentum);
  }

  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    if (this.spec.quantizer === undefined) {
      // each unit's ReLU, and unit2's shortcut, are part of its BN op
      const h = this.unit1.apply(x, training, { relu: true });
      return this.unit2.apply(h, training, { residual: this.shortcut.apply(x, training), relu: true });
    }
    // each unit adds its shortcut inside its BN op (one pass over the activation instead of two)
    const y = this.unit1.apply(x, training, { residual: this.shortcut.apply(x, training) });
    return this.unit2.apply(y, training, { residual: y });
  }
}
