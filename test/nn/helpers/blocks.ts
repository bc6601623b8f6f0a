import * as tf from '../../helpers/tfjs.js';
import type { ActivationQuantizer } from '../../../src/nn/activation.js';
import type { BlockSpec } from '../../../src/nn/blocks/block.js';
import type { ParameterStore } from '../../../src/nn/parameters.js';

export const SIGN: ActivationQuantizer = { kind: 'sign', estimator: 'ste' };
export const FOUR_BIT: ActivationQuantizer = { kind: 'uniform', bits: 4, beta: 2 };

export function blockSpec(o: Partial<BlockSpec> = {}): BlockSpec {
  return { kind: 'basic', inChannels: 4, width: 4, stride: 1, kernel: 3, dilation: 1, quantizer: SIGN, convBases: 1, bnMomentum: 0.1, ...o };
}

/** Set every BN gamma/beta whose name matches `pattern` (so a unit's branch outputs the constant beta). */
export function setBatchNorms(store: ParameterStore, pattern: RegExp, gamma: number, beta: number): void {
  for (const p of store.list()) {
    if (!pattern.test(p.name)) continue;
    if (p.name.endsWith('.bn.gamma')) p.variable.assign(tf.fill(p.variable.shape, gamma));
    if (p.name.endsWith('.bn.beta')) p.variable.assign(tf.fill(p.variable.shape, beta));
  }
}

export function randomInput(shape: [number, number, number, number], seed = 3): tf.Tensor4D {
  return tf.randomNormal(shape, 0, 1, 'float32', seed) as tf.Tensor4D;
}

export function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}
