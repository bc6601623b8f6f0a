// Add on the native kernels equals the stock wasm Add bit for bit (IEEE addition element by element:
// signed zeros, infinities, NaN, sizes not multiples of 16), for 1, 2 and 3 threads; broadcasting,
// int32 and small tensors go to the stock kernel.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../helpers/tfjs.js';
import { NATIVE_ELEMENTWISE_MIN_ELEMENTS } from '../../../src/backend/native/native-training.js';
import { openNativeTraining } from '../../../src/backend/native/native-training.js';
import { useTrainingKernels } from '../../../src/backend/register-wasm-kernels.js';
import { selectBackend } from '../../../src/backend/select.js';
import { createRng } from '../../../src/util/random.js';
import { randomHostTensor, type HostTensor } from '../kernels/compare-backends.js';
import { nativeTrainingUnavailable, sameBits } from './native-status.js';

const reason = nativeTrainingUnavailable();

async function sum(kind: 'native' | 'wasm', a: HostTensor, b: HostTensor): Promise<Float32Array> {
  useTrainingKernels(kind);
  const before = tf.memory().numTensors;
  const out = tf.tidy(() => tf.add(tf.tensor(a.values, a.shape), tf.tensor(b.values, b.shape)));
  const values = (await out.data()) as Float32Array;
  out.dispose();
  expect(tf.memory().numTensors).toBe(before);
  return values;
}

/** Random normals with the special values planted at fixed places. */
function withSpecials(t: HostTensor, seed: number): HostTensor {
  const specials = [0, -0, Infinity, -Infinity, NaN, 3.4e38, -3.4e38, 1e-45];
  const values = t.values.slice();
  specials.forEach((v, i) => (values[(i * 7919 + seed) % values.length] = v));
  return { shape: t.shape, values };
}

describe.skipIf(reason !== undefined)('Add on the native kernels', () => {
  beforeAll(async () => {
    await selectBackend('wasm', { kernels: 'native', threads: 1 });
  });

  it.each([
    ['a stage-1 map of R/2 at batch 6', [6, 28, 28, 16]],
    ['an odd size, not a multiple of 16', [5, 13, 11, 97]],
    ['exactly the threshold', [NATIVE_ELEMENTWISE_MIN_ELEMENTS]],
  ] as const)('%s: the stock result bit for bit at 1, 2 and 3 threads', async (_what, shape) => {
    const rng = createRng(shape.length * 31 + shape[0]);
    const a = withSpecials(randomHostTensor(rng, [...shape]), 1);
    const b = withSpecials(randomHostTensor(rng, [...shape]), 5);
    const stock = await sum('wasm', a, b);
    for (const threads of [1, 2, 3]) {
      openNativeTraining(threads);
      expect(sameBits(await sum('native', a, b), stock), `${threads} threads`).toBe(true);
      expect(sameBits(await sum('native', a, a), await sum('wasm', a, a)), `x + x, ${threads} threads`).toBe(true);
    }
    openNativeTraining(1);
  });

  it('leaves broadcasting, int32 and small tensors to the stock kernel, with its results', async () => {
    const rng = createRng(7);
    const big = randomHostTensor(rng, [2, 200, 200]);
    const row = randomHostTensor(rng, [200]);
    const small = randomHostTensor(rng, [NATIVE_ELEMENTWISE_MIN_ELEMENTS - 1]);
    expect(sameBits(await sum('native', big, row), await sum('wasm', big, row))).toBe(true);
    expect(sameBits(await sum('native', small, small), await sum('wasm', small, small))).toBe(true);
    useTrainingKernels('native');
    const ints = tf.add(tf.tensor1d([1, 2, 3], 'int32'), tf.tensor1d([4, 5, 6], 'int32'));
    expect(ints.dtype).toBe('int32');
    expect(Array.from(await ints.data())).toEqual([5, 7, 9]);
    ints.dispose();
  });
});
