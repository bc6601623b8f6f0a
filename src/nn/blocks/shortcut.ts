import * as tf from '../../util/tfjs.js';
import { avgPool } from '../layers/avg-pool.js';
import { BatchNorm } from '../layers/batch-norm.js';
import { Conv2d } from '../layers/conv2d.js';
import type { Scope } from '../parameters.js';

/**
 * A residual shortcut, always full precision: identity when shapes agree, otherwise
 * (2×2 average pool, stride 2, if down-sampling) → float conv 1×1 → BN, as in Bi-Real Net.
 * The pool uses 'same' padding so odd sizes give ceil(in/2), the size of a stride-2 conv.
 * Names: `conv.weight`, `bn.*` (absent for identity).
 */
export class Shortcut {
  readonly conv: Conv2d | undefined;
  readonly bn: BatchNorm | undefined;

  constructor(
    scope: Scope,
    inChannels: number,
    outChannels: number,
    readonly stride: number,
    bnMomentum: number,
  ) {
    if (stride === 1 && inChannels === outChannels) {
      this.conv = undefined;
      this.bn = undefined;
    } else {
      this.conv = new Conv2d(scope.child('conv'), { inChannels, outChannels, kernel: 1, stride: 1, binary: false });
      this.bn = new BatchNorm(scope.child('bn'), outChannels, bnMomentum);
    }
  }

  get isIdentity(): boolean {
    return this.conv === undefined;
  }

  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    if (this.conv === undefined || this.bn === undefined) return x;
    const pooled = this.stride === 1 ? x : avgPool(x, 2, this.stride, training);
    return this.bn.apply(this.conv.apply(pooled), training);
  }
}
