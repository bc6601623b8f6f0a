/**
 * One base's copy of one block inside the supernet. It is the binary form of the nn blocks
 * (BasicBlock, PlainBlock, BottleneckBlock) with the input quantizer passed in at call time, so
 * the supernet can mix activation precisions. Parameter names and op order are the nn blocks', so
 * weights move to `buildModel(derivedArch)` one to one and one-hot mixes compute the same values.
 */
import * as tf from '@tensorflow/tfjs';
import { BatchNorm } from '../nn/layers/batch-norm.js';
import { Conv2d } from '../nn/layers/conv2d.js';
import { Shortcut } from '../nn/blocks/shortcut.js';
import type { Scope } from '../nn/parameters.js';
import type { BlockSpec } from '../nn/blocks/block.js';

/** An nn block's spec without what the supernet decides per call (the quantizer) or never uses (LBD). */
export type SuperBlockSpec = Omit<BlockSpec, 'quantizer' | 'convBases'>;

export type Quantize = (x: tf.Tensor4D) => tf.Tensor4D;

/** `quantize → binary conv → BN`, named `conv.weight`, `bn.*` like nn's ConvUnit with one conv. */
class BinaryUnit {
  readonly conv: Conv2d;
  readonly bn: BatchNorm;

  constructor(scope: Scope, inChannels: number, outChannels: number, kernel: number, stride: number, dilation: number, bnMomentum: number) {
    this.conv = new Conv2d(scope.child('conv'), { inChannels, outChannels, kernel, stride, dilation, binary: true });
    this.bn = new BatchNorm(scope.child('bn'), outChannels, bnMomentum);
  }

  apply(x: tf.Tensor4D, training: boolean, quantize: Quantize): tf.Tensor4D {
    return this.bn.apply(this.conv.apply(quantize(x)), training);
  }
}

export class SuperBlock {
  readonly outChannels: number;
  readonly units: BinaryUnit[];
  readonly shortcut: Shortcut | undefined;

  constructor(
    scope: Scope,
    readonly spec: SuperBlockSpec,
  ) {
    const { kind, inChannels, width, stride, kernel, dilation, bnMomentum } = spec;
    const unit = (name: string, cin: number, cout: number, k: number, s: number, d: number) => new BinaryUnit(scope.child(name), cin, cout, k, s, d, bnMomentum);
    if (kind === 'basic') {
      this.outChannels = width;
      this.units = [unit('unit1', inChannels, width, kernel, stride, dilation), unit('unit2', width, width, kernel, 1, dilation)];
    } else if (kind === 'bottleneck') {
      this.outChannels = 4 * width;
      this.units = [unit('unit1', inChannels, width, 1, 1, 1), unit('unit2', width, width, kernel, stride, dilation), unit('unit3', width, 4 * width, 1, 1, 1)];
    } else {
      this.outChannels = width;
      this.units = [unit('unit1', inChannels, width, kernel, stride, dilation)];
    }
    this.shortcut = kind === 'plain' ? undefined : new Shortcut(scope.child('shortcut'), inChannels, this.outChannels, stride, bnMomentum);
  }

  apply(x: tf.Tensor4D, training: boolean, quantize: Quantize): tf.Tensor4D {
    const [u1, u2, u3] = this.units;
    switch (this.spec.kind) {
      case 'basic': {
        const y = tf.add(u1!.apply(x, training, quantize), this.shortcut!.apply(x, training)) as tf.Tensor4D;
        return tf.add(u2!.apply(y, training, quantize), y);
      }
      case 'bottleneck': {
        const b = u2!.apply(u1!.apply(x, training, quantize), training, quantize);
        return tf.add(u3!.apply(b, training, quantize), this.shortcut!.apply(x, training));
      }
      case 'plain':
        return u1!.apply(x, training, quantize);
    }
  }
}
