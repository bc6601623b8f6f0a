import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../helpers/tfjs.js';
import { createRng } from '../../../src/util/random.js';
import { registerWasmTrainingKernels } from '../../../src/backend/register-wasm-kernels.js';
import { randomHostTensor, runKernelOn, wasmDataIds } from './compare-backends.js';

beforeAll(async () => {
  await tf.setBackend('wasm');
  registerWasmTrainingKernels();
});

describe('Sign on wasm (ours) vs cpu (stock)', () => {
  it('is exact at and near zero, like cpu (the stock wasm kernel zeroes |x| < 1.2e-7)', async () => {
    const values = new Float32Array([-2, -1e-8, -1e-30, -0, 0, 1e-30, 1e-8, 1e-7, 3, NaN, Infinity, -Infinity]);
    const x = { shape: [values.length], values };
    const before = wasmDataIds();
    const ours = await runKernelOn('wasm', 'Sign', { x }, {});
    expect(wasmDataIds()).toBe(before);
    expect(Array.from(ours)).toEqual(Array.from(await runKernelOn('cpu', 'Sign', { x }, {})));
    expect(Array.from(ours)).toEqual([-1, -1, -1, 0, 0, 1, 1, 1, 1, 0, 1, -1]);
  });

  it('matches cpu on random data of several shapes, and int32', async () => {
    const rng = createRng(5);
    for (const shape of [[1], [3, 5], [2, 3, 4, 5]]) {
      const x = randomHostTensor(rng, shape);
      expect(Array.from(await runKernelOn('wasm', 'Sign', { x }, {}))).toEqual(Array.from(await runKernelOn('cpu', 'Sign', { x }, {})));
    }
    await tf.setBackend('wasm');
    expect(await tf.sign(tf.tensor1d([-3, 0, 7], 'int32')).array()).toEqual([-1, 0, 1]);
  });

  it('has a zero gradient, as on cpu', async () => {
    await tf.setBackend('wasm');
    expect(
      await tf
        .grad((t: tf.Tensor) => tf.sign(t).sum())(tf.tensor1d([-1, 0, 2]))
        .array(),
    ).toEqual([0, 0, 0]);
  });
});
