import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../helpers/tfjs.js';
import { createRng, randomInt } from '../../../src/util/random.js';
import { registerWasmTrainingKernels } from '../../../src/backend/register-wasm-kernels.js';
import { maxRelativeError, randomHostTensor, runKernelOn, wasmDataIds } from './compare-backends.js';

beforeAll(async () => {
  await tf.setBackend('wasm');
  registerWasmTrainingKernels();
});

describe('Tile on wasm (ours) vs cpu (stock)', () => {
  const rng = createRng(31);
  const cases: { shape: number[]; reps: number[] }[] = [
    { shape: [1, 1, 1, 5], reps: [3, 4, 2, 1] }, // tf.batchNorm's gradient
    { shape: [2, 3], reps: [1, 1] },
    { shape: [7], reps: [5] },
    { shape: [2, 1, 3], reps: [2, 3, 2] },
    { shape: [3, 2, 1, 2], reps: [1, 2, 5, 3] },
  ];
  for (let i = 0; i < 8; i++) {
    const rank = 1 + randomInt(rng, 5);
    cases.push({
      shape: Array.from({ length: rank }, () => 1 + randomInt(rng, 4)),
      reps: Array.from({ length: rank }, () => 1 + randomInt(rng, 3)),
    });
  }

  it.each(cases.map((c) => [`${c.shape.join('×')} reps ${c.reps.join(',')}`, c] as const))('%s', async (_name, c) => {
    const x = randomHostTensor(rng, c.shape);
    const before = wasmDataIds();
    const ours = await runKernelOn('wasm', 'Tile', { x }, { reps: c.reps });
    expect(wasmDataIds()).toBe(before);
    const expected = await runKernelOn('cpu', 'Tile', { x }, { reps: c.reps });
    expect(maxRelativeError(ours, expected)).toBe(0);
  });

  it('tiles int32 and bool tensors and their gradient matches cpu', async () => {
    await tf.setBackend('wasm');
    expect(await tf.tile(tf.tensor2d([[1, 2]], [1, 2], 'int32'), [2, 2]).array()).toEqual([
      [1, 2, 1, 2],
      [1, 2, 1, 2],
    ]);
    expect(await tf.tile(tf.tensor1d([true, false], 'bool'), [3]).array()).toEqual([1, 0, 1, 0, 1, 0]);
    const x = randomHostTensor(rng, [2, 3, 1]);
    const dy = randomHostTensor(rng, [4, 3, 5]);
    const gradOn = async (backend: 'cpu' | 'wasm'): Promise<Float32Array> => {
      await tf.setBackend(backend);
      const g = tf.tidy(() => tf.grad((t: tf.Tensor) => tf.tile(t, [2, 1, 5]).mul(tf.tensor(dy.values, dy.shape)).sum())(tf.tensor(x.values, x.shape)));
      const values = (await g.data()) as Float32Array;
      g.dispose();
      return values;
    };
    expect(maxRelativeError(await gradOn('wasm'), await gradOn('cpu'))).toBeLessThan(1e-6);
  });
});
