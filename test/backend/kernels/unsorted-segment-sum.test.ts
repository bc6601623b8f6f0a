import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../helpers/tfjs.js';
import { createRng, randomInt } from '../../../src/util/random.js';
import { registerWasmTrainingKernels } from '../../../src/backend/register-wasm-kernels.js';
import { maxRelativeError, randomHostTensor, wasmDataIds } from './compare-backends.js';

beforeAll(async () => {
  await tf.setBackend('wasm');
  registerWasmTrainingKernels();
});

async function segmentSumOn(backend: 'cpu' | 'wasm', x: { shape: number[]; values: Float32Array }, ids: number[], numSegments: number): Promise<Float32Array> {
  await tf.setBackend(backend);
  const out = tf.tidy(() => tf.unsortedSegmentSum(tf.tensor(x.values, x.shape), tf.tensor1d(ids, 'int32'), numSegments));
  const values = (await out.data()) as Float32Array;
  out.dispose();
  return values;
}

describe('UnsortedSegmentSum on wasm (ours) vs cpu (stock)', () => {
  const rng = createRng(11);
  const cases = [
    { shape: [5], numSegments: 3 },
    { shape: [6, 4], numSegments: 4 },
    { shape: [7, 3, 2], numSegments: 2 },
    { shape: [4, 1, 5, 3], numSegments: 6 },
  ];
  it.each(cases.map((c) => [`${c.shape.join('×')} into ${c.numSegments}`, c] as const))('%s', async (_name, c) => {
    const x = randomHostTensor(rng, c.shape);
    const ids = Array.from({ length: c.shape[0]! }, () => randomInt(rng, c.numSegments));
    const before = wasmDataIds();
    const ours = await segmentSumOn('wasm', x, ids, c.numSegments);
    expect(wasmDataIds()).toBe(before);
    expect(maxRelativeError(ours, await segmentSumOn('cpu', x, ids, c.numSegments))).toBeLessThan(1e-6);
  });

  it('makes tf.gather differentiable on wasm, with the gradient cpu gives', async () => {
    const x = randomHostTensor(rng, [2, 5, 3]);
    const gradOn = async (backend: 'cpu' | 'wasm'): Promise<Float32Array> => {
      await tf.setBackend(backend);
      const g = tf.tidy(() =>
        tf.grad((t: tf.Tensor) =>
          tf
            .gather(t, [4, 0, 4, 2], 1)
            .mul(tf.linspace(1, 2, 24).reshape([2, 4, 3]))
            .sum(),
        )(tf.tensor(x.values, x.shape)),
      );
      const values = (await g.data()) as Float32Array;
      g.dispose();
      return values;
    };
    expect(maxRelativeError(await gradOn('wasm'), await gradOn('cpu'))).toBeLessThan(1e-6);
  });
});
