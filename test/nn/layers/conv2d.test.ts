import * as tf from '../../helpers/tfjs.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { Conv2d } from '../../../src/nn/layers/conv2d.js';
import { Dense } from '../../../src/nn/layers/dense.js';
import { ParameterStore, Scope } from '../../../src/nn/parameters.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('Conv2d', () => {
  it('binary: effective weights are α_o·sign(W) per output channel', () => {
    const store = new ParameterStore(4);
    const conv = new Conv2d(new Scope(store).child('conv'), { inChannels: 2, outChannels: 3, kernel: 3, stride: 1, binary: true });
    const w = conv.weight.arraySync() as number[][][][];
    const wb = conv.effectiveWeight().arraySync() as number[][][][];
    for (let o = 0; o < 3; o++) {
      const column: number[] = [];
      for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) for (let c = 0; c < 2; c++) column.push(w[i]![j]![c]![o]!);
      const alpha = column.reduce((s, v) => s + Math.abs(v), 0) / column.length;
      for (let i = 0; i < 3; i++) {
        for (let j = 0; j < 3; j++) {
          for (let c = 0; c < 2; c++) expect(wb[i]![j]![c]![o]).toBeCloseTo((w[i]![j]![c]![o]! >= 0 ? 1 : -1) * alpha, 6);
        }
      }
    }
    store.dispose();
  });

  it('pads symmetrically: out = floor((in − 1)/stride) + 1, and a centred 3×3 identity kernel returns its input', () => {
    const store = new ParameterStore(0);
    const conv = new Conv2d(new Scope(store).child('conv'), { inChannels: 1, outChannels: 1, kernel: 3, stride: 2, binary: false });
    const kernel = new Float32Array(9);
    kernel[4] = 1;
    conv.weight.assign(tf.tensor4d(kernel, [3, 3, 1, 1]));
    const x = tf.tensor4d(
      Array.from({ length: 49 }, (_, i) => i),
      [1, 7, 7, 1],
    );
    const y = conv.apply(x);
    expect(y.shape).toEqual([1, 4, 4, 1]);
    // Symmetric padding keeps window centres at 0, 2, 4, 6 (TF 'same' would shift them).
    expect(Array.from(y.dataSync())).toEqual([0, 2, 4, 6, 14, 16, 18, 20, 28, 30, 32, 34, 42, 44, 46, 48]);
    tf.dispose([x, y]);
    store.dispose();
  });

  it('initialises the same values for the same (seed, name), other values for another name', () => {
    const make = (seed: number, name: string): Float32Array => {
      const store = new ParameterStore(seed);
      const conv = new Conv2d(new Scope(store).child(name), { inChannels: 2, outChannels: 2, kernel: 3, stride: 1, binary: false });
      const v = conv.weight.dataSync() as Float32Array;
      store.dispose();
      return v;
    };
    expect(make(1, 'a')).toEqual(make(1, 'a'));
    expect(make(1, 'a')).not.toEqual(make(1, 'b'));
    expect(make(1, 'a')).not.toEqual(make(2, 'a'));
  });
});

describe('Dense', () => {
  it('computes xW + b', () => {
    const store = new ParameterStore(0);
    const fc = new Dense(new Scope(store).child('fc'), 2, 2);
    fc.weight.assign(tf.tensor2d([1, 2, 3, 4], [2, 2]));
    fc.bias.assign(tf.tensor1d([0.5, -0.5]));
    const x = tf.tensor2d([1, 1], [1, 2]);
    const y = fc.apply(x);
    expect(Array.from(y.dataSync())).toEqual([4.5, 5.5]);
    tf.dispose([x, y]);
    store.dispose();
  });
});
