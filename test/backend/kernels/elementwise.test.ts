import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../helpers/tfjs.js';
import { createRng, randomInt, type Rng } from '../../../src/util/random.js';
import { registerWasmTrainingKernels } from '../../../src/backend/register-wasm-kernels.js';
import { maxRelativeError, wasmDataIds } from './compare-backends.js';

beforeAll(async () => {
  await tf.setBackend('wasm');
  registerWasmTrainingKernels();
});

type NumericDtype = 'float32' | 'int32' | 'bool';
interface Operand {
  shape: number[];
  dtype: NumericDtype;
  values: number[];
}

/** Values with many ties and special cases: small integers, halves, ±0, NaN (float only). */
function operand(rng: Rng, shape: number[], dtype: NumericDtype): Operand {
  const count = shape.reduce((a, b) => a * b, 1);
  const floats = [0, -0, 0.5, -1.5, 1, 2, -3, 256, NaN, 1e-8, -1e-30];
  const values = Array.from({ length: count }, () =>
    dtype === 'bool' ? randomInt(rng, 2) : dtype === 'int32' ? randomInt(rng, 5) - 2 : floats[randomInt(rng, floats.length)]!,
  );
  return { shape, dtype, values };
}

/** Run a kernel on both backends through the engine; outputs as plain arrays (NaN-safe via Object.is in toEqual). */
async function onBoth(kernelName: string, inputs: Record<string, Operand>, attrs: object = {}): Promise<[number[], number[], string, string]> {
  const results: { values: number[]; dtype: string }[] = [];
  for (const backend of ['wasm', 'cpu'] as const) {
    await tf.setBackend(backend);
    const before = backend === 'wasm' ? wasmDataIds() : 0;
    const tensors: tf.NamedTensorMap = {};
    for (const [name, o] of Object.entries(inputs)) tensors[name] = tf.tensor(o.values, o.shape, o.dtype);
    const out = tf.engine().runKernel(kernelName, tensors, attrs as tf.NamedAttrMap) as tf.Tensor;
    results.push({ values: Array.from(await out.data()), dtype: out.dtype });
    tf.dispose([out, ...Object.values(tensors)]);
    if (backend === 'wasm') expect(wasmDataIds()).toBe(before);
  }
  return [results[0]!.values, results[1]!.values, results[0]!.dtype, results[1]!.dtype];
}

const rng = createRng(77);

describe('comparisons and logical ops on wasm (ours) vs cpu (stock)', () => {
  const layouts: [string, number[], number[]][] = [
    ['same shape', [3, 4, 5], [3, 4, 5]],
    ['scalar second', [2, 7], []],
    ['scalar first', [1], [4, 3]],
    ['channel broadcast (stock path)', [2, 3, 4], [4]],
  ];
  for (const kernel of ['Less', 'LessEqual', 'Greater', 'GreaterEqual', 'Equal', 'NotEqual']) {
    for (const dtype of ['float32', 'int32'] as const) {
      it.each(layouts)(`${kernel} ${dtype}: %s`, async (_name, aShape, bShape) => {
        const [ours, ref, dtypeOurs, dtypeRef] = await onBoth(kernel, { a: operand(rng, aShape, dtype), b: operand(rng, bShape, dtype) });
        expect(dtypeOurs).toBe(dtypeRef);
        expect(ours).toEqual(ref);
      });
    }
  }
  for (const kernel of ['LogicalAnd', 'LogicalOr']) {
    it.each(layouts)(`${kernel}: %s`, async (_name, aShape, bShape) => {
      const [ours, ref] = await onBoth(kernel, { a: operand(rng, aShape, 'bool'), b: operand(rng, bShape, 'bool') });
      expect(ours).toEqual(ref);
    });
  }
});

describe('Cast on wasm (ours) vs cpu (stock)', () => {
  const dtypes = ['float32', 'int32', 'bool'] as const;
  for (const from of dtypes) {
    for (const to of dtypes) {
      it(`${from} → ${to}`, async () => {
        const x = operand(rng, [4, 6], from);
        const [ours, ref, dtypeOurs] = await onBoth('Cast', { x }, { dtype: to });
        expect(dtypeOurs).toBe(to);
        expect(ours).toEqual(ref);
      });
    }
  }
});

describe('gradients through the replaced kernels', () => {
  it('clipByValue and a straight-through mask give cpu’s gradients', async () => {
    const values = Array.from({ length: 60 }, (_, i) => ((i * 37) % 41) / 10 - 2);
    const gradOn = async (backend: 'cpu' | 'wasm'): Promise<number[]> => {
      await tf.setBackend(backend);
      const g = tf.tidy(() => {
        // straight-through sign: the gradient passes where |x| ≤ 1 (LessEqual, Cast, Multiply)
        const steSign = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
          save([x]);
          return { value: tf.sign(x), gradFunc: (dy: tf.Tensor, [saved]: tf.Tensor[]) => dy.mul(saved!.abs().lessEqual(1).cast('float32')) };
        }) as Parameters<typeof tf.customGrad>[0]) as (x: tf.Tensor) => tf.Tensor;
        const weights = tf.linspace(-1, 2, 60).reshape([3, 4, 5]);
        return tf.grad((x: tf.Tensor) =>
          tf
            .clipByValue(x, -1, 1.2)
            .add(steSign(x.mul(0.7)))
            .mul(weights)
            .sum(),
        )(tf.tensor(values, [3, 4, 5]));
      });
      const out = Array.from(await g.data());
      g.dispose();
      return out;
    };
    // the masks must agree exactly; the products may differ in the last bit (wasm multiplies with SIMD)
    expect(maxRelativeError(await gradOn('wasm'), await gradOn('cpu'))).toBeLessThan(1e-6);
  });
});
