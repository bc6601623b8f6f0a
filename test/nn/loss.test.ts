import * as tf from '../helpers/tfjs.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { softmaxCrossEntropy } from '../../src/nn/loss.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('softmaxCrossEntropy', () => {
  const logits = [
    [2, 0, -1],
    [0, 0, 0],
  ];
  const logSoftmax = (row: number[]): number[] => {
    const lse = Math.log(row.reduce((s, v) => s + Math.exp(v), 0));
    return row.map((v) => v - lse);
  };

  it('is the mean negative log-likelihood without smoothing', () => {
    const loss = tf.tidy(() => softmaxCrossEntropy(tf.tensor2d(logits), tf.tensor1d([0, 2], 'int32')).dataSync()[0]!);
    expect(loss).toBeCloseTo(-(logSoftmax(logits[0]!)[0]! + logSoftmax(logits[1]!)[2]!) / 2, 5);
  });

  it('with smoothing ε targets (1−ε)·onehot + ε/C', () => {
    const eps = 0.3;
    const loss = tf.tidy(() => softmaxCrossEntropy(tf.tensor2d(logits), tf.tensor1d([1, 0], 'int32'), eps).dataSync()[0]!);
    const rowLoss = (row: number[], label: number): number => -logSoftmax(row).reduce((s, lp, c) => s + ((c === label ? 1 - eps : 0) + eps / 3) * lp, 0);
    expect(loss).toBeCloseTo((rowLoss(logits[0]!, 1) + rowLoss(logits[1]!, 0)) / 2, 5);
  });
});
