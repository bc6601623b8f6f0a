import * as tf from '../../helpers/tfjs.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { batchNormTraining } from '../../../src/nn/layers/batch-norm-training.js';
import { maxAbsDiff, randomInput } from '../helpers/blocks.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** The reference: tf.moments + tf.batchNorm, differentiated by tfjs. */
function reference(x: tf.Tensor4D, g: tf.Tensor1D, b: tf.Tensor1D): tf.Tensor4D {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  return tf.batchNorm(x, mean, variance, b, g, 1e-5) as tf.Tensor4D;
}

describe('batchNormTraining', () => {
  it('matches tf.moments + tf.batchNorm in value and in the gradients of x, γ and β', () => {
    tf.tidy(() => {
      const x = tf.add(tf.mul(randomInput([3, 4, 5, 6], 1), 2), 0.7) as tf.Tensor4D;
      const g = tf.tensor1d([1, 0.5, -2, 3, 0.1, 1.5]);
      const b = tf.tensor1d([0, 1, -1, 0.5, 2, -0.25]);
      const dy = randomInput([3, 4, 5, 6], 2);
      const ours = tf.grads((xs: tf.Tensor, gs: tf.Tensor, bs: tf.Tensor) => {
        const r = batchNormTraining(xs as tf.Tensor4D, gs as tf.Tensor1D, bs as tf.Tensor1D, 1e-5);
        tf.dispose([r.mean, r.variance]);
        return r.y;
      });
      const theirs = tf.grads((xs: tf.Tensor, gs: tf.Tensor, bs: tf.Tensor) => reference(xs as tf.Tensor4D, gs as tf.Tensor1D, bs as tf.Tensor1D));
      const r = batchNormTraining(x, g, b, 1e-5);
      expect(maxAbsDiff(r.y, reference(x, g, b))).toBeLessThan(1e-5);
      const { mean, variance } = tf.moments(x, [0, 1, 2]);
      expect(maxAbsDiff(r.mean, mean)).toBeLessThan(1e-6);
      expect(maxAbsDiff(r.variance, variance)).toBeLessThan(1e-5);
      tf.dispose([r.mean, r.variance]);
      const a = ours([x, g, b], dy);
      const c = theirs([x, g, b], dy);
      a.forEach((t, i) => expect(maxAbsDiff(t, c[i]!)).toBeLessThan(1e-4));
      expect(maxAbsDiff(a[0]!, tf.zerosLike(a[0]!))).toBeGreaterThan(1e-3);
    });
  });

  it('leaves only its outputs behind', () => {
    const x = randomInput([2, 3, 3, 4]);
    const g = tf.ones([4]) as tf.Tensor1D;
    const b = tf.zeros([4]) as tf.Tensor1D;
    const before = tf.memory().numTensors;
    const r = batchNormTraining(x, g, b, 1e-5);
    expect(tf.memory().numTensors).toBe(before + 3);
    tf.dispose([r.y, r.mean, r.variance, x, g, b]);
  });
});
