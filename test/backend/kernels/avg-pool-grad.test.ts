import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../helpers/tfjs.js';
import { createRng } from '../../../src/util/random.js';
import { registerWasmTrainingKernels } from '../../../src/backend/register-wasm-kernels.js';
import { maxRelativeError, randomHostTensor, runKernelOn, wasmDataIds } from './compare-backends.js';

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];
interface PoolCase {
  x: [number, number, number, number];
  filter: [number, number];
  stride: [number, number];
  pad: Pad;
}

beforeAll(async () => {
  await tf.setBackend('wasm');
  registerWasmTrainingKernels();
});

function outShape(c: PoolCase): number[] {
  return tf.backend_util.computePool2DInfo(c.x, c.filter, c.stride, 1, c.pad).outShape;
}

const rng = createRng(9);

describe('AvgPoolGrad on wasm (ours) vs cpu (stock) where no window touches padding', () => {
  const cases: PoolCase[] = [
    { x: [2, 8, 6, 3], filter: [2, 2], stride: [2, 2], pad: 'same' }, // network R's down-sampling shortcut
    { x: [1, 7, 9, 5], filter: [3, 3], stride: [2, 2], pad: 'valid' },
    { x: [2, 6, 6, 1], filter: [3, 2], stride: [1, 2], pad: 'valid' },
    { x: [1, 9, 7, 4], filter: [3, 3], stride: [3, 1], pad: 'valid' },
  ];
  it.each(cases.map((c) => [`${c.x.join('×')} filter ${c.filter} stride ${c.stride} ${JSON.stringify(c.pad)}`, c] as const))('%s', async (_name, c) => {
    const input = randomHostTensor(rng, c.x);
    const dy = randomHostTensor(rng, outShape(c));
    const attrs = { filterSize: c.filter, strides: c.stride, pad: c.pad };
    const before = wasmDataIds();
    const ours = await runKernelOn('wasm', 'AvgPoolGrad', { dy, input }, attrs);
    expect(wasmDataIds()).toBe(before);
    expect(maxRelativeError(ours, await runKernelOn('cpu', 'AvgPoolGrad', { dy, input }, attrs))).toBeLessThan(1e-6);
  });
});

describe('AvgPoolGrad at padded borders', () => {
  /** The exact gradient of Σ avgPool(x)·dy: avgPool is linear, so pool every unit input (on cpu) and weigh by dy. */
  async function exactGradient(c: PoolCase, dy: { values: Float32Array; shape: number[] }): Promise<Float32Array> {
    await tf.setBackend('cpu');
    const size = c.x.reduce((a, b) => a * b, 1);
    const grad = tf.tidy(() => {
      const basis = tf.eye(size).reshape([size * c.x[0], c.x[1], c.x[2], c.x[3]]);
      const pooled = tf.avgPool(basis as tf.Tensor4D, c.filter, c.stride, c.pad);
      const perUnit = pooled.reshape([size, c.x[0], ...pooled.shape.slice(1)]);
      return perUnit.mul(tf.tensor(dy.values, dy.shape)).sum([1, 2, 3, 4]);
    });
    const values = (await grad.data()) as Float32Array;
    grad.dispose();
    return values;
  }

  const cases: PoolCase[] = [
    { x: [1, 5, 5, 2], filter: [2, 2], stride: [2, 2], pad: 'same' },
    { x: [1, 4, 5, 1], filter: [3, 3], stride: [1, 1], pad: 'same' },
    {
      x: [1, 5, 4, 2],
      filter: [3, 2],
      stride: [2, 1],
      pad: [
        [0, 0],
        [1, 1],
        [0, 1],
        [0, 0],
      ],
    },
  ];
  it.each(cases.map((c) => [`${c.x.join('×')} filter ${c.filter} stride ${c.stride} ${JSON.stringify(c.pad)}`, c] as const))(
    '%s: ours is the true gradient of the forward',
    async (_name, c) => {
      const input = randomHostTensor(rng, c.x);
      const dy = randomHostTensor(rng, outShape(c));
      const ours = await runKernelOn('wasm', 'AvgPoolGrad', { dy, input }, { filterSize: c.filter, strides: c.stride, pad: c.pad });
      expect(maxRelativeError(ours, await exactGradient(c, dy))).toBeLessThan(1e-6);
    },
  );

  it('tfjs’ stock cpu kernel is not (why we do not compare with it here)', async () => {
    const c = cases[0]!;
    const input = randomHostTensor(rng, c.x);
    const dy = randomHostTensor(rng, outShape(c));
    const stock = await runKernelOn('cpu', 'AvgPoolGrad', { dy, input }, { filterSize: c.filter, strides: c.stride, pad: c.pad });
    expect(maxRelativeError(stock, await exactGradient(c, dy))).toBeGreaterThan(0.1);
  });
});
