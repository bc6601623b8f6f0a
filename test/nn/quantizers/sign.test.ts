import * as tf from '../../helpers/tfjs.js';
import { afterAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src/backend/select.js';
import { approxSignSlope, insideClip, keptByClip, negatedSign, signPlusOne } from '../../../src/nn/quantizers/sign.js';

// Edge values of the step-based indicators: ±0, the smallest subnormals, clip edges and their float
// neighbours, infinities. float32 neighbours of 1: 1 − 2⁻²⁴ and 1 + 2⁻²³.
const below1 = 1 - 2 ** -24;
const above1 = 1 + 2 ** -23;
const xs = [-Infinity, -2, -above1, -1, -below1, -0.5, -1e-45, -0, 0, 1e-45, 0.5, below1, 1, above1, 2, Infinity];

const sign = (x: number): number => (x >= 0 ? 1 : -1);
const inside = (x: number, lo: number, hi: number): number => (x >= lo && x <= hi ? 1 : 0);

function values(f: (t: tf.Tensor1D) => tf.Tensor): number[] {
  return tf.tidy(() => Array.from(f(tf.tensor1d(xs)).dataSync()));
}

afterAll(async () => {
  await tf.setBackend('cpu');
});

describe.each(['cpu', 'wasm'] as const)('sign and straight-through masks on %s', (backend) => {
  it('signPlusOne is ±1 with sign(±0) = +1, and negatedSign its negation', async () => {
    await selectBackend(backend);
    expect(values(signPlusOne)).toEqual(xs.map(sign));
    expect(values(negatedSign)).toEqual(xs.map((x) => -sign(x)));
  });

  it('insideClip is 1 exactly on |x| ≤ clip (edges included), for clip 1 and 0.5', async () => {
    await selectBackend(backend);
    expect(values((t) => insideClip(t, 1))).toEqual(xs.map((x) => inside(x, -1, 1)));
    expect(values((t) => insideClip(t, 0.5))).toEqual(xs.map((x) => inside(x, -0.5, 0.5)));
  });

  it('keptByClip is 1 exactly where clipByValue(x, 0, β) left x unchanged', async () => {
    await selectBackend(backend);
    expect(values((t) => keptByClip(t, tf.clipByValue(t, 0, 1)))).toEqual(xs.map((x) => inside(x, 0, 1)));
    expect(values((t) => keptByClip(t, tf.clipByValue(t, -1, 2)))).toEqual(xs.map((x) => inside(x, -1, 2)));
  });

  it('approxSignSlope is 2 − 2|x| inside [−1, 1] and 0 outside', async () => {
    await selectBackend(backend);
    const expected = xs.map((x) => Math.fround(Math.max(0, 2 - 2 * Math.abs(x))));
    expect(values(approxSignSlope)).toEqual(expected);
  });
});
