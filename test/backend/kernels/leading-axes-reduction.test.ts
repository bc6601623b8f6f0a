import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../helpers/tfjs.js';
import { createRng } from '../../../src/util/random.js';
import { registerWasmTrainingKernels } from '../../../src/backend/register-wasm-kernels.js';
import { leadingAxesCount } from '../../../src/backend/kernels/leading-axes-reduction.js';
import { maxRelativeError, randomHostTensor, runKernelOn, wasmDataIds } from './compare-backends.js';

beforeAll(async () => {
  await tf.setBackend('wasm');
  registerWasmTrainingKernels();
});

describe('leadingAxesCount', () => {
  it('accepts exactly a proper prefix of the axes, in any order or sign', () => {
    expect(leadingAxesCount([2, 3, 4, 5], [0, 1, 2])).toBe(3);
    expect(leadingAxesCount([2, 3, 4, 5], [2, -4, 1])).toBe(3);
    expect(leadingAxesCount([2, 3], 0)).toBe(1);
    expect(leadingAxesCount([2, 3, 4], [1, 2])).toBeNull();
    expect(leadingAxesCount([2, 3, 4], [0, 1, 2])).toBeNull();
    expect(leadingAxesCount([2, 3, 4], [])).toBeNull();
  });
});

describe('Sum and Mean on wasm (ours) vs cpu (stock)', () => {
  const rng = createRng(123);
  const cases: [number[], number | number[], boolean][] = [
    [[4, 5, 6, 7], [0, 1, 2], false], // batch-norm statistics of NHWC
    [[4, 5, 6, 7], [0, 1, 2], true],
    [[9, 3], 0, false], // bias gradient
    [[3, 1, 5, 2], [-4, 1], true],
    [[2, 3, 4, 5], [1, 2], false], // global average pool: stock path
    [[2, 3, 4], [0, 1, 2], false], // everything: stock path
    [[6, 5], 1, true], // innermost: stock path
  ];
  for (const kernel of ['Sum', 'Mean']) {
    it.each(cases.map(([shape, axis, keepDims]) => [`${shape.join('×')} axis ${JSON.stringify(axis)} keepDims ${keepDims}`, shape, axis, keepDims] as const))(
      `${kernel} %s`,
      async (_name, shape, axis, keepDims) => {
        const x = randomHostTensor(rng, shape);
        const before = wasmDataIds();
        const ours = await runKernelOn('wasm', kernel, { x }, { axis, keepDims });
        expect(wasmDataIds()).toBe(before);
        const expected = await runKernelOn('cpu', kernel, { x }, { axis, keepDims });
        expect(maxRelativeError(ours, expected)).toBeLessThan(1e-5);
      },
    );
  }

  it('keeps the output shape of keepDims', async () => {
    await tf.setBackend('wasm');
    const s = tf.sum(tf.ones([2, 3, 4]), [0, 1], true);
    expect(s.shape).toEqual([1, 1, 4]);
    expect(Array.from(await s.data())).toEqual([6, 6, 6, 6]);
    s.dispose();
  });

  it('int32 sums go to the stock kernel', async () => {
    await tf.setBackend('wasm');
    const s = tf.sum(
      tf.tensor2d(
        [
          [1, 2],
          [3, 4],
        ],
        [2, 2],
        'int32',
      ),
      0,
    );
    expect(s.dtype).toBe('int32');
    expect(await s.array()).toEqual([4, 6]);
    s.dispose();
  });
});
