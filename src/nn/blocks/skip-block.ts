import type * as tf from '../../util/tfjs.js';
import type { Scope } from '../parameters.js';
import type { Block, BlockSpec } from './block.js';
import { Shortcut } from './shortcut.js';

/**
 * A block that is only its shortcut (DARTS' skip_connect): the identity where the block keeps
 * its input's shape, else the full-precision down-sampling path (avg-pool if strided → float
 * conv 1×1 → BN). No binary layer and no activation, in the binary network and in its twin.
 *
 * Names: `shortcut.*` (none for the identity), as a basic block's shortcut.
 */
export class SkipBlock implements Block {
  readonly outChannels: number;
  readonly shortcut: Shortcut;

  constructor(scope: Scope, spec: BlockSpec) {
    this.outChannels = spec.width;
    this.shortcut = new Shortcut(scope.child('shortcut'), spec.inChannels, spec.width, spec.stride, spec.bnMomentum);
  }

  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    return this.shortcut.apply(x, training);
  }
}
