import * as tf from '../../helpers/tfjs.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { DecomposedConv } from '../../../src/nn/blocks/decomposed-conv.js';
import { ParameterStore, Scope } from '../../../src/nn/parameters.js';
import { maxAbsDiff, randomInput } from '../helpers/blocks.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('DecomposedConv (LBD)', () => {
  it('K = 3: three binary convs on the same input, summed with learned scales starting at 1/3', () => {
    const store = new ParameterStore(0);
    const conv = new DecomposedConv(new Scope(store).child('conv'), { inChannels: 2, outChannels: 3, kernel: 3, stride: 1, binary: true }, 3);
    expect(store.list().map((p) => p.name)).toEqual(['conv.bases.0.weight', 'conv.bases.1.weight', 'conv.bases.2.weight', 'conv.scales']);
    expect(Array.from(conv.scales!.dataSync())).toEqual([1 / 3, 1 / 3, 1 / 3].map((v) => Math.fround(v)));
    conv.scales!.assign(tf.tensor1d([0.5, -1, 2]));
    const x = randomInput([1, 4, 4, 2]);
    tf.tidy(() => {
      const manual = tf.addN([0.5, -1, 2].map((s, k) => tf.mul(conv.convs[k]!.apply(x), s)));
      expect(maxAbsDiff(conv.apply(x), manual)).toBeLessThan(1e-5);
    });
    x.dispose();
    store.dispose();
  });

  it('K = 1: a single conv named like an ordinary one, no scale', () => {
    const store = new ParameterStore(0);
    new DecomposedConv(new Scope(store).child('conv'), { inChannels: 2, outChannels: 3, kernel: 3, stride: 1, binary: true }, 1);
    expect(store.list().map((p) => p.name)).toEqual(['conv.weight']);
    store.dispose();
  });
});
