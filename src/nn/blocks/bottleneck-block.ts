import * as tf from '../../util/tfjs.js';
import type { Scope } from '../parameters.js';
import type { Block, BlockSpec } from './block.js';
import { ConvUnit } from './conv-unit.js';
import { Shortcut } from './shortcut.js';

/**
 * ResNet-50 bottleneck block: conv1×1 (→ w) → conv k×k (w → w, carries the stride) → conv1×1 (→ 4w).
 *
 * Binary: three `q → conv → BN` units and one shortcut around the block (identity, or avg-pool +
 * float conv1×1 + BN) added after the last BN (the Arch contract, src/space/arch.ts):
 *   out = u3(u2(u1(x))) + shortcut(x)
 *
 * Full precision: out = ReLU(u3(ReLU(u2(ReLU(u1(x))))) + shortcut(x)), the torchvision v1.5 block.
 *
 * Names: `unit1.*`, `unit2.*`, `unit3.*`, `shortcut.*`.
 */
export class BottleneckBlock implements Block {
  readonly outChannels: number;
  readonly unit1: ConvUnit;
  readonly unit2: ConvUnit;
  readonly unit3: ConvUnit;
  readonly shortcut: Shortcut;

  constructor(
    scope: Scope,
    readonly spec: BlockSpec,
  ) {
    const { inChannels, width, stride, kernel, dilation, quantizer, convBases, bnMomentum, weights } = spec;
    this.outChannels = 4 * width;
    const common = { dilation: 1, quantizer, bases: convBases, bnMomentum, weights };
    this.unit1 = new ConvUnit(scope.child('unit1'), { ...common, inChannels, outChannels: width, kernel: 1, stride: 1 });
    this.unit2 = new ConvUnit(scope.child('unit2'), { ...common, inChannels: width, outChannels: width, kernel, stride, dilation });
    this.unit3 = new ConvUnit(scope.child('unit3'), { ...common, inChannels: width, outChannels: this.outChannels, kernel: 1, stride: 1 });
    this.shortcut = new Shortcut(scope.child('shortcut'), inChannels, this.outChannels, stride, bnMomentum);
  }

  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    if (this.spec.quantizer === undefined) {
      const a = this.unit1.apply(x, training, { relu: true });
      const b = this.unit2.apply(a, training, { relu: true });
      return this.unit3.apply(b, training, { residual: this.shortcut.apply(x, training), relu: true });
    }
    const b = this.unit2.apply(this.unit1.apply(x, training), training);
    return tf.add(this.unit3.apply(b, training), this.shortcut.apply(x, training));
  }
}
