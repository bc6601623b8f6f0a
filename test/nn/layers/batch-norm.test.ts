import * as tf from '../../helpers/tfjs.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { BatchNorm, movingAverage } from '../../../src/nn/layers/batch-norm.js';
import { createRng } from '../../../src/util/random.js';
import { ParameterStore, Scope } from '../../../src/nn/parameters.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('BatchNorm', () => {
  it('training: normalizes with batch statistics and moves running stats PyTorch-style (unbiased variance)', () => {
    const store = new ParameterStore(0);
    const bn = new BatchNorm(new Scope(store).child('bn'), 1, 0.1, 0);
    // One channel, values 1, 2, 3, 6: mean 3, biased var 3.5, unbiased 14/3.
    const x = tf.tensor4d([1, 2, 3, 6], [1, 2, 2, 1]);
    const y = bn.apply(x, true);
    const expected = [1, 2, 3, 6].map((v) => (v - 3) / Math.sqrt(3.5));
    Array.from(y.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 5));
    expect(bn.runningMean.dataSync()[0]).toBeCloseTo(0.3, 6);
    expect(bn.runningVar.dataSync()[0]).toBeCloseTo(0.9 + 0.1 * (14 / 3), 6);
    tf.dispose([x, y]);
    store.dispose();
  });

  it('inference: uses running statistics and leaves them unchanged', () => {
    const store = new ParameterStore(0);
    const bn = new BatchNorm(new Scope(store).child('bn'), 2, 0.1, 0);
    bn.runningMean.assign(tf.tensor1d([1, -1]));
    bn.runningVar.assign(tf.tensor1d([4, 1]));
    bn.gamma.assign(tf.tensor1d([2, 1]));
    bn.beta.assign(tf.tensor1d([0, 0.5]));
    const x = tf.tensor4d([3, 0], [1, 1, 1, 2]);
    const y = bn.apply(x, false);
    expect(Array.from(y.dataSync())).toEqual([2, 1.5]);
    expect(Array.from(bn.runningMean.dataSync())).toEqual([1, -1]);
    tf.dispose([x, y]);
    store.dispose();
  });

  it('names its state gamma, beta (trainable) and runningMean, runningVar (buffers)', () => {
    const store = new ParameterStore(0);
    new BatchNorm(new Scope(store).child('a').child('bn'), 3);
    expect(store.list().map((p) => [p.name, p.trainable])).toEqual([
      ['a.bn.gamma', true],
      ['a.bn.beta', true],
      ['a.bn.runningMean', false],
      ['a.bn.runningVar', false],
    ]);
    store.dispose();
  });

  it('moves the running statistics with the values of tf.add(tf.mul(running, 1 − m), tf.mul(batch, m)), bit for bit', () => {
    const rng = createRng(11);
    const size = 4096;
    // magnitudes from 1e-30 to 1e30, both signs, and zeros, so that sums round and cancel
    const draw = (): Float32Array => Float32Array.from({ length: size }, (_, i) => (i % 97 === 0 ? 0 : (rng() - 0.5) * 10 ** Math.floor(rng() * 60 - 30)));
    const running = draw();
    const batch = draw();
    for (const [keep, take] of [
      [0.9, 0.1],
      [1 - 0.37, 0.37 * (50 / 49)],
      [0, 1],
    ] as const) {
      const expected = tf.tidy(() => tf.add(tf.mul(tf.tensor1d(running), keep), tf.mul(tf.tensor1d(batch), take)).dataSync());
      const got = movingAverage(running, batch, keep, take);
      expect(
        Array.from(got).every((v, i) => Object.is(v, expected[i])),
        `keep ${keep}`,
      ).toBe(true);
    }
  });
});
