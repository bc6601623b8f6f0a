import * as tf from '../helpers/tfjs.js';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  gradientCheckpoint,
  needsCheckpointing,
  PLAIN_TAPE_BUDGET_BYTES,
  plainTapeBytes,
  setTapeBudget,
  SHARED_TAPE_BUDGET_BYTES,
} from '../../src/nn/gradient-checkpoint.js';
import { buildPreset } from '../../src/space/presets.js';
import { maxAbsDiff, randomInput } from './helpers/blocks.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('gradientCheckpoint', () => {
  it('gives the gradients of the plain tape for the input and the captured variables, inside an outer tape, leaking nothing', () => {
    const w = tf.variable(tf.tensor4d([0.5, -1, 2, 0.25, 1, -0.5, 0.75, 1.5, -2], [3, 3, 1, 1]));
    const v = tf.variable(tf.scalar(0.3));
    const block = (x: tf.Tensor4D): tf.Tensor4D => tf.mul(tf.tanh(tf.conv2d(x, w as tf.Tensor4D, 1, 1)), v) as tf.Tensor4D;
    const x = randomInput([2, 4, 4, 1]);
    const loss = (f: (h: tf.Tensor4D) => tf.Tensor4D) => () => tf.sum(tf.square(f(tf.relu(x) as tf.Tensor4D))) as tf.Scalar;
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const plain = tf.variableGrads(loss(block), [w, v]);
      const ckpt = tf.variableGrads(
        loss((h) => gradientCheckpoint(block, h, [w, v])),
        [w, v],
      );
      expect(maxAbsDiff(plain.value, ckpt.value)).toBeLessThan(1e-6);
      expect(maxAbsDiff(plain.grads[w.name]!, ckpt.grads[w.name]!)).toBeLessThan(1e-5);
      expect(maxAbsDiff(plain.grads[v.name]!, ckpt.grads[v.name]!)).toBeLessThan(1e-5);
      expect(maxAbsDiff(ckpt.grads[w.name]!, tf.zerosLike(w))).toBeGreaterThan(1e-3);
    });
    expect(tf.memory().numTensors).toBe(before);
    // The engine is left usable: a later plain gradient works.
    tf.tidy(() => {
      expect(
        tf
          .grad((t: tf.Tensor) => tf.sum(tf.square(t)))(tf.scalar(3))
          .dataSync()[0],
      ).toBe(6);
    });
    tf.dispose([w, v, x]);
  });
});

describe('the tape budget', () => {
  it("checkpoints what the thread's budget cannot hold: R/2 with K = 5 at batch 64 in a shared worker, not alone; K = 1 at batch 16 in neither", () => {
    const k5 = buildPreset('groupnet-k5', { widthMultiplier: 0.5 });
    const k1 = buildPreset('groupnet-k1', { widthMultiplier: 0.5 });
    expect(plainTapeBytes(k5, 64)).toBeGreaterThan(SHARED_TAPE_BUDGET_BYTES);
    try {
      expect([needsCheckpointing(k5, 64), needsCheckpointing(k1, 16)]).toEqual([false, false]);
      setTapeBudget(SHARED_TAPE_BUDGET_BYTES);
      expect([needsCheckpointing(k5, 64), needsCheckpointing(k1, 16)]).toEqual([true, false]);
      expect(() => setTapeBudget(0)).toThrow(/tape budget: expected a positive number of bytes, got 0/);
    } finally {
      setTapeBudget(PLAIN_TAPE_BUDGET_BYTES);
    }
  });
});
