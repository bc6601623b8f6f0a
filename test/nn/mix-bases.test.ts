import * as tf from '../helpers/tfjs.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { mixBases } from '../../src/nn/mix-bases.js';
import { maxAbsDiff, randomInput } from './helpers/blocks.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** The same mix written with plain ops, differentiated by tfjs. */
const reference = (outs: tf.Tensor[], w: tf.Tensor2D): tf.Tensor[] => {
  const [rows, cols] = w.shape;
  return Array.from({ length: rows }, (_, j) => tf.addN(Array.from({ length: cols }, (_, k) => tf.mul(outs[k]!, tf.reshape(tf.slice(w, [j, k], [1, 1]), [])))));
};

describe('mixBases', () => {
  it("matches plain scalar-times-map sums in value and in the gradients of every input and W (K=3 → K'=2)", () => {
    tf.tidy(() => {
      const outs = [1, 2, 3].map((s) => randomInput([2, 3, 3, 4], s));
      const w = tf.tensor2d([
        [0.5, -1, 2],
        [0, 0.25, 1],
      ]);
      const dys = [randomInput([2, 3, 3, 4], 7), randomInput([2, 3, 3, 4], 8)];
      const loss =
        (mix: (o: tf.Tensor[], w: tf.Tensor2D) => tf.Tensor[]) =>
        (ws: tf.Tensor, ...os: tf.Tensor[]) =>
          tf.addN(mix(os, ws as tf.Tensor2D).map((x, j) => tf.sum(tf.mul(x, dys[j]!)))) as tf.Scalar;
      const ours = mixBases(outs, w);
      const theirs = reference(outs, w);
      ours.forEach((t, j) => expect(maxAbsDiff(t, theirs[j]!)).toBeLessThan(1e-5));
      const ga = tf.grads(loss((o, ws) => mixBases(o as tf.Tensor4D[], ws)))([w, ...outs]);
      const gb = tf.grads(loss(reference))([w, ...outs]);
      ga.forEach((g, i) => expect(maxAbsDiff(g, gb[i]!)).toBeLessThan(1e-4));
      expect(ga[0]!.shape).toEqual([2, 3]);
    });
  });

  it('one row (aggregate): y = Σ λ_k out_k', () => {
    tf.tidy(() => {
      const outs = [1, 2].map((s) => randomInput([1, 2, 2, 3], s));
      const [y] = mixBases(outs, tf.tensor2d([[2, -0.5]]));
      expect(maxAbsDiff(y!, tf.sub(tf.mul(outs[0]!, 2), tf.mul(outs[1]!, 0.5)))).toBeLessThan(1e-6);
    });
  });
});
