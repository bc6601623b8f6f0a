import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../helpers/tfjs.js';
import { attentionMap, attentionTransferLoss, distributionalLoss, logitKdLoss } from '../../src/distill/losses.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const student = () =>
  tf.tensor2d([
    [1, 2, 3],
    [0, -1, 0.5],
  ]);
const teacher = () =>
  tf.tensor2d([
    [3, 1, 0],
    [0.2, 0.1, -0.3],
  ]);

function softmax(row: number[], t: number): number[] {
  const e = row.map((v) => Math.exp(v / t));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

describe('logitKdLoss', () => {
  it('is zero when student equals teacher', () => {
    expect(logitKdLoss(teacher(), teacher(), 4).arraySync()).toBeCloseTo(0, 6);
  });

  it('matches a hand computation on a 2×3 example', () => {
    const s = [
        [1, 2, 3],
        [0, -1, 0.5],
      ],
      t = [
        [3, 1, 0],
        [0.2, 0.1, -0.3],
      ],
      T = 2;
    let kl = 0;
    for (let i = 0; i < 2; i++) {
      const p = softmax(t[i]!, T),
        q = softmax(s[i]!, T);
      kl += p.reduce((acc, pj, j) => acc + pj * Math.log(pj / q[j]!), 0);
    }
    const expected = (T * T * kl) / 2;
    expect(logitKdLoss(student(), teacher(), T).arraySync()).toBeCloseTo(expected, 5);
    expect(distributionalLoss(student(), teacher()).arraySync()).toBeCloseTo(logitKdLoss(student(), teacher(), 1).arraySync() as number, 6);
  });

  it('its gradient pulls the student logit of the teacher’s favourite class up, and no gradient reaches the teacher', () => {
    const t = teacher();
    const grads = tf.grads((s: tf.Tensor, tt: tf.Tensor) => logitKdLoss(s as tf.Tensor2D, tt as tf.Tensor2D, 2))([student(), t]);
    const gs = grads[0]!.arraySync() as number[][];
    // teacher prefers class 0 in row 0 while the student prefers class 2: descent raises z[0][0], lowers z[0][2]
    expect(gs[0]![0]).toBeLessThan(0);
    expect(gs[0]![2]).toBeGreaterThan(0);
    expect(grads[1]!.abs().max().arraySync()).toBe(0);
  });
});

describe('attentionTransferLoss', () => {
  const feats = (seed: number) => tf.randomNormal([2, 3, 3, 4], 0, 1, 'float32', seed) as tf.Tensor4D;

  it('is zero when student equals teacher', () => {
    expect(attentionTransferLoss([feats(1), feats(2)], [feats(1), feats(2)]).arraySync()).toBeCloseTo(0, 6);
  });

  it('matches a hand computation on a 2-image, 1×3 map example', () => {
    // channels 1: Q = A² normalized
    const s = tf.tensor4d([[[[1], [2], [2]]], [[[0], [3], [4]]]]);
    const t = tf.tensor4d([[[[2], [0], [1]]], [[[1], [1], [1]]]]);
    const norm = (v: number[]) => {
      const n = Math.hypot(...v);
      return v.map((x) => x / n);
    };
    const qs = [norm([1, 4, 4]), norm([0, 9, 16])],
      qt = [norm([4, 0, 1]), norm([1, 1, 1])];
    const expected = qs.reduce((acc, q, i) => acc + q.reduce((a, v, j) => a + (v - qt[i]![j]!) ** 2, 0), 0) / 2;
    expect(attentionMap(s).arraySync()[0]![1]).toBeCloseTo(4 / Math.hypot(1, 4, 4), 6);
    expect(attentionTransferLoss([s], [t]).arraySync()).toBeCloseTo(expected, 5);
  });

  it('gradient descent moves the student attention toward the teacher’s', () => {
    const t = tf.tensor4d([[[[3], [0.1], [0.1]]]]);
    let s = tf.tensor4d([[[[0.1], [0.1], [3]]]]);
    const before = attentionTransferLoss([s], [t]).arraySync() as number;
    const g = tf.grad((x: tf.Tensor) => attentionTransferLoss([x as tf.Tensor4D], [t]))(s);
    s = tf.sub(s, tf.mul(g, 0.5)) as tf.Tensor4D;
    expect(attentionTransferLoss([s], [t]).arraySync()).toBeLessThan(before);
  });

  it('refuses mismatched stage lists or sizes and leaks no tensors', () => {
    const start = tf.memory().numTensors;
    const a = feats(1),
      b = tf.zeros([2, 2, 2, 4]) as tf.Tensor4D;
    expect(() => attentionTransferLoss([a], [])).toThrow(/student has 1 stage outputs, teacher 0/);
    expect(() => attentionTransferLoss([a], [b])).toThrow(/spatial size/);
    tf.dispose([a, b]);
    expect(tf.memory().numTensors).toBe(start);
  });
});
