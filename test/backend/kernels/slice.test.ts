import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../helpers/tfjs.js';
import { createRng, randomInt } from '../../../src/util/random.js';
import { registerWasmTrainingKernels } from '../../../src/backend/register-wasm-kernels.js';
import { randomHostTensor, wasmDataIds, type HostTensor } from './compare-backends.js';

beforeAll(async () => {
  await tf.setBackend('wasm');
  registerWasmTrainingKernels();
});

/** Values of every output of `kernelName` on `backend`. */
async function runOn(backend: 'cpu' | 'wasm', kernelName: string, x: HostTensor, attrs: object): Promise<number[][]> {
  await tf.setBackend(backend);
  const input = tf.tensor(x.values, x.shape);
  const out = tf.engine().runKernel(kernelName, { x: input }, attrs as tf.NamedAttrMap) as tf.Tensor | tf.Tensor[];
  const outs = Array.isArray(out) ? out : [out];
  const values = await Promise.all(outs.map(async (t) => [...t.shape, ...(await t.data())]));
  tf.dispose([input, ...outs]);
  return values;
}

describe('Slice and SplitV on wasm (ours) vs cpu (stock)', () => {
  const rng = createRng(47);
  const shapes: number[][] = [[7], [4, 6], [3, 1, 5], [2, 3, 4, 5], [2, 2, 3, 2, 3]];
  for (let i = 0; i < 10; i++) shapes.push(Array.from({ length: 1 + randomInt(rng, 5) }, () => 1 + randomInt(rng, 5)));

  const sliceCases = shapes.map((shape) => {
    const begin = shape.map((s) => randomInt(rng, s));
    // -1 (to the end) on some axes, as tf.slice allows.
    const size = shape.map((s, k) => (randomInt(rng, 4) === 0 ? -1 : 1 + randomInt(rng, s - begin[k]!)));
    return { shape, begin, size };
  });

  it.each(sliceCases.map((c) => [`${c.shape.join('×')} begin ${c.begin.join(',')} size ${c.size.join(',')}`, c] as const))('Slice %s', async (_name, c) => {
    const x = randomHostTensor(rng, c.shape);
    const before = wasmDataIds();
    const ours = await runOn('wasm', 'Slice', x, { begin: c.begin, size: c.size });
    expect(wasmDataIds()).toBe(before);
    expect(ours).toEqual(await runOn('cpu', 'Slice', x, { begin: c.begin, size: c.size }));
  });

  const splitCases = shapes.flatMap((shape) => {
    const axis = randomInt(rng, shape.length);
    const n = shape[axis]!;
    const pieces = n === 1 ? [1] : [1 + randomInt(rng, n - 1)];
    if (pieces[0]! < n) pieces.push(n - pieces[0]!);
    return [
      { shape, axis, split: pieces },
      { shape, axis, split: 1 },
    ];
  });

  it.each(splitCases.map((c) => [`${c.shape.join('×')} axis ${c.axis} into ${JSON.stringify(c.split)}`, c] as const))('SplitV %s', async (_name, c) => {
    const x = randomHostTensor(rng, c.shape);
    const before = wasmDataIds();
    const ours = await runOn('wasm', 'SplitV', x, { numOrSizeSplits: c.split, axis: c.axis });
    expect(wasmDataIds()).toBe(before);
    expect(ours).toEqual(await runOn('cpu', 'SplitV', x, { numOrSizeSplits: c.split, axis: c.axis }));
  });

  it('slices int32 and bool tensors, and the split gradient matches cpu', async () => {
    await tf.setBackend('wasm');
    expect(
      await tf
        .slice(
          tf.tensor2d(
            [
              [1, 2, 3],
              [4, 5, 6],
            ],
            [2, 3],
            'int32',
          ),
          [0, 1],
          [2, 2],
        )
        .array(),
    ).toEqual([
      [2, 3],
      [5, 6],
    ]);
    expect(await tf.slice(tf.tensor1d([true, false, true], 'bool'), [1], [2]).array()).toEqual([0, 1]);
    const x = randomHostTensor(rng, [3, 4, 2]);
    const gradOn = async (backend: 'cpu' | 'wasm'): Promise<Float32Array> => {
      await tf.setBackend(backend);
      const g = tf.tidy(() =>
        tf.grad((t: tf.Tensor) => {
          const [a, b] = tf.split(t, [1, 3], 1);
          return tf.add(tf.sum(tf.mul(a!, 2)), tf.sum(tf.mul(b!, b!)));
        })(tf.tensor(x.values, x.shape)),
      );
      const values = (await g.data()) as Float32Array;
      g.dispose();
      return values;
    };
    expect(await gradOn('wasm')).toEqual(await gradOn('cpu'));
  });
});
