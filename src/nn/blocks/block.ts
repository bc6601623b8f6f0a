import type * as tf from '../../util/tfjs.js';
import type { BlockKind } from '../../space/arch.js';
import type { ActivationQuantizer } from '../activation.js';
import type { WeightMode } from '../weight-mode.js';

/** Everything a block needs to build itself: the Arch block resolved against its stage width and group. */
export interface BlockSpec {
  kind: BlockKind;
  inChannels: number;
  /** The stage width (bottleneck: inner width; the block outputs 4×). */
  width: number;
  stride: number;
  kernel: number;
  dilation: number;
  /** Activation quantizer of the block's group; undefined = full-precision twin (float convs, ReLU). */
  quantizer: ActivationQuantizer | undefined;
  /** LBD: convs per layer; 1 for group decomposition. */
  convBases: number;
  bnMomentum: number;
  /** Weights of the quantized convs (default `binary`; `real` for stage 1 of staged training). */
  weights?: WeightMode;
}

export interface Block {
  readonly outChannels: number;
  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D;
}

/** Output channels of a block of this kind at this stage width. */
export function blockOutChannels(kind: BlockKind, width: number): number {
  return kind === 'bottleneck' ? 4 * width : width;
}
