import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { quantizeActivation } from '../../src/nn/activation.js';
import { mixMaps } from '../../src/search/map-mix.js';
import { mixedQuantizer } from '../../src/search/mixed-quantizer.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const maxDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);

describe('fused supernet ops: values and gradients equal the unfused sums', () => {
  it('mixMaps', () => {
    const maps = [0, 1, 2].map((s) => tf.randomNormal([2, 3, 3, 2], 0, 1, 'float32', s) as tf.Tensor4D);
    const c = tf.tensor1d([0.3, -1.2, 0.5]);
    const dy = tf.randomNormal([2, 3, 3, 2], 0, 1, 'float32', 9);
    const loss = (f: (m: tf.Tensor4D[], c: tf.Tensor1D) => tf.Tensor) => tf.grads((cc: tf.Tensor, ...m: tf.Tensor[]) => tf.sum(tf.mul(f(m as tf.Tensor4D[], cc as tf.Tensor1D), dy)));
    const reference = (m: tf.Tensor4D[], cc: tf.Tensor1D) => tf.addN(m.map((x, k) => tf.mul(x, tf.unstack(cc)[k]!)));
    const a = loss(mixMaps)([c, ...maps]);
    const b = loss(reference)([c, ...maps]);
    a.forEach((g, i) => expect(maxDiff(g, b[i]!)).toBeLessThan(1e-5));
    expect(maxDiff(mixMaps(maps, c), reference(maps, c))).toBe(0);
  });

  it('mixedQuantizer', () => {
    const x = tf.mul(tf.randomNormal([2, 4, 4, 3], 0, 1.5, 'float32', 4), 1) as tf.Tensor4D;
    const p = tf.tensor1d([0.2, 0.5, 0.3]);
    const dy = tf.randomNormal([2, 4, 4, 3], 0, 1, 'float32', 5);
    const fused = (xx: tf.Tensor4D, pp: tf.Tensor1D) => mixedQuantizer([1, 2, 4], pp, { estimator: 'ste', beta: 2 })(xx);
    const reference = (xx: tf.Tensor4D, pp: tf.Tensor1D) => {
      const ps = tf.unstack(pp);
      return tf.addN([
        tf.mul(quantizeActivation(xx, { kind: 'sign', estimator: 'ste' }), ps[0]!),
        tf.mul(quantizeActivation(xx, { kind: 'uniform', bits: 2, beta: 2 }), ps[1]!),
        tf.mul(quantizeActivation(xx, { kind: 'uniform', bits: 4, beta: 2 }), ps[2]!),
      ]);
    };
    const g = (f: (xx: tf.Tensor4D, pp: tf.Tensor1D) => tf.Tensor) => tf.grads((xx: tf.Tensor, pp: tf.Tensor) => tf.sum(tf.mul(f(xx as tf.Tensor4D, pp as tf.Tensor1D), dy)))([x, p]);
    const [gx1, gp1] = g(fused);
    const [gx2, gp2] = g(reference);
    expect(maxDiff(fused(x, p), reference(x, p))).toBe(0);
    expect(maxDiff(gx1!, gx2!)).toBeLessThan(1e-6);
    expect(maxDiff(gp1!, gp2!)).toBeLessThan(1e-4);
  });
});
