import * as tf from '../helpers/tfjs.js';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels } from '../../src/backend/register-wasm-kernels.js';
import { quantizeActivation, type SignEstimator } from '../../src/nn/activation.js';
import { addMaps, mixMaps } from '../../src/search/map-mix.js';
import { mixedQuantizer } from '../../src/search/mixed-quantizer.js';

let previousBackend = '';
beforeAll(async () => {
  previousBackend = tf.getBackend();
  registerWasmTrainingKernels();
  await tf.setBackend('cpu');
});
afterAll(async () => {
  if (previousBackend) await tf.setBackend(previousBackend);
});

const maxDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);

describe('fused supernet ops: values and gradients equal the unfused sums', () => {
  it('mixMaps', () => {
    const maps = [0, 1, 2].map((s) => tf.randomNormal([2, 3, 3, 2], 0, 1, 'float32', s) as tf.Tensor4D);
    const c = tf.tensor1d([0.3, -1.2, 0.5]);
    const dy = tf.randomNormal([2, 3, 3, 2], 0, 1, 'float32', 9);
    const loss = (f: (m: tf.Tensor4D[], c: tf.Tensor1D) => tf.Tensor) =>
      tf.grads((cc: tf.Tensor, ...m: tf.Tensor[]) => tf.sum(tf.mul(f(m as tf.Tensor4D[], cc as tf.Tensor1D), dy)));
    const reference = (m: tf.Tensor4D[], cc: tf.Tensor1D) => tf.addN(m.map((x, k) => tf.mul(x, tf.unstack(cc)[k]!)));
    const a = loss(mixMaps)([c, ...maps]);
    const b = loss(reference)([c, ...maps]);
    a.forEach((g, i) => expect(maxDiff(g, b[i]!)).toBeLessThan(1e-5));
    expect(maxDiff(mixMaps(maps, c), reference(maps, c))).toBe(0);
  });

  it('mixMaps with constant coefficients: same value and map gradients, zero coefficient gradient', () => {
    const maps = [0, 1].map((s) => tf.randomNormal([2, 3, 3, 2], 0, 1, 'float32', s) as tf.Tensor4D);
    const c = tf.tensor1d([0.7, 0.3]);
    const dy = tf.randomNormal([2, 3, 3, 2], 0, 1, 'float32', 7);
    const grads = (coefficientGradient: boolean) =>
      tf.grads((cc: tf.Tensor, ...m: tf.Tensor[]) => tf.sum(tf.mul(mixMaps(m as tf.Tensor4D[], cc as tf.Tensor1D, { coefficientGradient }), dy)))([c, ...maps]);
    const live = grads(true);
    const constant = grads(false);
    expect(maxDiff(mixMaps(maps, c, { coefficientGradient: false }), mixMaps(maps, c))).toBe(0);
    expect(Array.from(constant[0]!.dataSync())).toEqual([0, 0]);
    expect(maxDiff(live[0]!, constant[0]!)).toBeGreaterThan(1e-3);
    for (let k = 1; k < live.length; k++) expect(maxDiff(live[k]!, constant[k]!)).toBe(0);
  });

  it('addMaps: the sum, and dy to both operands', () => {
    const [a, b] = [0, 1].map((s) => tf.randomNormal([2, 3, 3, 2], 0, 1, 'float32', s) as tf.Tensor4D);
    const dy = tf.randomNormal([2, 3, 3, 2], 0, 1, 'float32', 3);
    expect(maxDiff(addMaps(a!, b!), tf.add(a!, b!))).toBe(0);
    const [ga, gb] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(addMaps(x as tf.Tensor4D, y as tf.Tensor4D), dy)))([a!, b!]);
    expect(maxDiff(ga!, dy)).toBe(0);
    expect(maxDiff(gb!, dy)).toBe(0);
    expect(() => addMaps(a!, tf.zeros([2, 3, 3, 1]) as tf.Tensor4D)).toThrow(/shapes/);
  });

  const reference = (estimator: SignEstimator) => (xx: tf.Tensor4D, pp: tf.Tensor1D) => {
    const ps = tf.unstack(pp);
    return tf.addN([
      tf.mul(quantizeActivation(xx, { kind: 'sign', estimator }), ps[0]!),
      tf.mul(quantizeActivation(xx, { kind: 'uniform', bits: 2, beta: 2 }), ps[1]!),
      tf.mul(quantizeActivation(xx, { kind: 'uniform', bits: 4, beta: 2 }), ps[2]!),
    ]);
  };
  /** Random values plus every boundary the quantizers and their straight-through masks have. */
  const quantizerInput = () =>
    tf.concat([
      tf.reshape(tf.tensor1d([0, -0, 1, -1, 2, -2, 1e-45, -1e-45, 1.0000001, -1.0000001, 2.0000002, 0.5, 0.6666667, 1.3333334, 3, -3]), [1, 4, 4, 1]),
      tf.randomNormal([1, 4, 4, 1], 0, 1.5, 'float32', 4),
    ]) as tf.Tensor4D;

  for (const backend of ['cpu', 'wasm'])
    for (const estimator of ['ste', 'approx'] as const) {
      it(`mixedQuantizer on ${backend}, ${estimator} sign: exactly the quantizers' weighted sum, their gradients, and ∂p only when asked`, async () => {
        await tf.setBackend(backend);
        const x = quantizerInput();
        const dy = tf.randomNormal(x.shape, 0, 1, 'float32', 5);
        const fused = (weightsGradient: boolean) => (xx: tf.Tensor4D, pp: tf.Tensor1D) =>
          mixedQuantizer([1, 2, 4], pp, { estimator, beta: 2, weightsGradient })(xx);
        const g = (f: (xx: tf.Tensor4D, pp: tf.Tensor1D) => tf.Tensor, p: tf.Tensor1D) =>
          tf.grads((xx: tf.Tensor, pp: tf.Tensor) => tf.sum(tf.mul(f(xx as tf.Tensor4D, pp as tf.Tensor1D), dy)))([x, p]);
        for (const p of [tf.tensor1d([0.2, 0.5, 0.3]), tf.tensor1d([1, 0, 0]), tf.tensor1d([0, 1, 0]), tf.tensor1d([0, 0, 1])]) {
          const what = `p = ${p.dataSync().join(',')}`;
          expect(maxDiff(fused(true)(x, p), reference(estimator)(x, p)), what).toBe(0);
          const [gx1, gp1] = g(fused(true), p);
          const [gx2, gp2] = g(reference(estimator), p);
          const [gx3, gp3] = g(fused(false), p);
          expect(maxDiff(gx1!, gx2!), what).toBeLessThan(1e-6);
          expect(maxDiff(gp1!, gp2!), what).toBeLessThan(1e-4);
          expect(maxDiff(gx3!, gx1!), what).toBe(0);
          expect(Array.from(gp3!.dataSync()), what).toEqual([0, 0, 0]);
        }
        await tf.setBackend('cpu');
      });
    }
});
