// Average pooling in training on the native kernels (src/nn/layers/avg-pool.ts): each output the mean of its window's valid pixels
// to float rounding (1e-6 of the window's mean magnitude, against float64; XNNPACK's AvgPool, which inference keeps, sums in another order), the same bits at 1, 2
// and 3 threads, AvgPool's own gradient; inference and the wasm kernels keep tf.avgPool; the addon refuses arrays that do not fit.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../helpers/tfjs.js';
import { openNativeTraining } from '../../../src/backend/native/native-training.js';
import { useTrainingKernels } from '../../../src/backend/register-wasm-kernels.js';
import { selectBackend } from '../../../src/backend/select.js';
import { avgPool } from '../../../src/nn/layers/avg-pool.js';
import { createRng } from '../../../src/util/random.js';
import { randomHostTensor, type HostTensor } from '../kernels/compare-backends.js';
import { nativeTrainingUnavailable, sameBits } from './native-status.js';

const reason = nativeTrainingUnavailable();

/** 'same' average pooling in float64: the mean of each window's valid pixels, and the mean of their magnitudes (the scale of its rounding). */
function reference(x: HostTensor, size: number, stride: number): { y: Float64Array; scale: Float64Array } {
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const oh = Math.ceil(h / stride);
  const ow = Math.ceil(w / stride);
  const top = Math.floor(Math.max(0, (oh - 1) * stride + size - h) / 2);
  const left = Math.floor(Math.max(0, (ow - 1) * stride + size - w) / 2);
  const y = new Float64Array(n * oh * ow * c);
  const scale = new Float64Array(y.length);
  for (let b = 0; b < n; b++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++)
        for (let k = 0; k < c; k++) {
          let sum = 0;
          let magnitude = 0;
          let count = 0;
          for (let di = 0; di < size; di++)
            for (let dj = 0; dj < size; dj++) {
              const r = i * stride - top + di;
              const s = j * stride - left + dj;
              if (r < 0 || r >= h || s < 0 || s >= w) continue;
              const v = x.values[((b * h + r) * w + s) * c + k]!;
              sum += v;
              magnitude += Math.abs(v);
              count++;
            }
          y[((b * oh + i) * ow + j) * c + k] = sum / count;
          scale[((b * oh + i) * ow + j) * c + k] = magnitude / count;
        }
  return { y, scale };
}

/** avgPool(x) in training and ∂/∂x of Σ avgPool(x)·cotangent, on the kernels `kind`. */
async function pooled(kind: 'native' | 'wasm', x: HostTensor, size: number, stride: number): Promise<[Float32Array, Float32Array]> {
  useTrainingKernels(kind);
  const before = tf.memory().numTensors;
  const [y, dx] = tf.tidy(() => {
    const xs = tf.tensor4d(x.values, x.shape as [number, number, number, number]);
    const grad = tf.grad((t: tf.Tensor) => {
      const out = avgPool(t as tf.Tensor4D, size, stride, true);
      return tf.sum(tf.mul(out, tf.sin(tf.reshape(tf.range(0, out.size), out.shape))));
    })(xs);
    return [avgPool(xs, size, stride, true), grad];
  });
  const values: [Float32Array, Float32Array] = [(await y.data()) as Float32Array, (await dx.data()) as Float32Array];
  tf.dispose([y, dx]);
  expect(tf.memory().numTensors).toBe(before);
  return values;
}

describe.skipIf(reason !== undefined)('average pooling in training on the native kernels', () => {
  beforeAll(async () => {
    await selectBackend('wasm', { kernels: 'native', threads: 1 });
  });

  it.each([
    ['2×2/2, odd sides (windows over the border)', [3, 7, 9, 17], 2, 2],
    ['2×2/2, the shortcut of R', [2, 14, 14, 32], 2, 2],
    ['3×3/1, overlapping windows', [1, 6, 5, 33], 3, 1],
    ['3×3/2, batch 1', [1, 9, 8, 5], 3, 2],
  ] as const)(
    '%s: the float64 means to 1e-6 of the window’s magnitudes, AvgPool’s gradient bit for bit, the same bits at 1, 2 and 3 threads',
    async (_what, shape, size, stride) => {
      const x = randomHostTensor(createRng(shape[3] * 17 + size), [...shape]);
      const [y, dx] = await pooled('native', x, size, stride);
      const exact = reference(x, size, stride);
      expect(y.length).toBe(exact.y.length);
      y.forEach((v, i) => expect(Math.abs(v - exact.y[i]!), `y[${i}]`).toBeLessThanOrEqual(1e-6 * exact.scale[i]!));
      // the gradient is the stock op's (tf.avgPool's on wasm runs the same AvgPoolGrad kernel)
      const [, wasmDx] = await pooled('wasm', x, size, stride);
      expect(sameBits(dx, wasmDx), 'dx').toBe(true);
      for (const threads of [2, 3]) {
        openNativeTraining(threads);
        const [again, againDx] = await pooled('native', x, size, stride);
        expect(sameBits(again, y) && sameBits(againDx, dx), `${threads} threads`).toBe(true);
      }
      openNativeTraining(1);
    },
  );

  it('inference keeps tf.avgPool (XNNPACK): the values the packed engine and the ONNX export reproduce', async () => {
    useTrainingKernels('native');
    const x = randomHostTensor(createRng(5), [2, 7, 7, 9]);
    const [inference, stock] = tf.tidy(() => {
      const xs = tf.tensor4d(x.values, x.shape as [number, number, number, number]);
      return [avgPool(xs, 2, 2, false), tf.avgPool(xs, 2, 2, 'same')];
    });
    expect(sameBits((await inference.data()) as Float32Array, (await stock.data()) as Float32Array)).toBe(true);
    tf.dispose([inference, stock]);
  });

  it('the addon refuses arrays that do not fit and an output over the input', () => {
    // 2×2/2 'same' pooling of a 1×5×5×3 input: 3×3 outputs
    const geometry = Int32Array.of(1, 5, 5, 3, 2, 2, 2, 2, 1, 1, 0, 0, 3, 3, 3);
    const addon = openNativeTraining(1).addon;
    expect(() => addon.avgPool(geometry, new Float32Array(75), new Float32Array(27), 1)).not.toThrow();
    expect(() => addon.avgPool(geometry, new Float32Array(74), new Float32Array(27), 1)).toThrow(/x: expected 75 elements, got 74/);
    expect(() => addon.avgPool(geometry, new Float32Array(75), new Float32Array(28), 1)).toThrow(/y: expected 27 elements, got 28/);
    const heap = new Float32Array(100);
    expect(() => addon.avgPool(geometry, heap.subarray(0, 75), heap.subarray(70, 97), 1)).toThrow(/overlap/);
  });
});
