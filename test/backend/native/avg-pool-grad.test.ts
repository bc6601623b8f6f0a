// The native gradient of average pooling equals the JavaScript kernel it replaces bit for bit (border windows
// of 'same' padding, overlapping windows, channel counts not multiples of 16), for 1, 2 and 3 threads; the
// addon refuses geometries and arrays that do not fit before touching memory.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../helpers/tfjs.js';
import { openNativeTraining } from '../../../src/backend/native/native-training.js';
import { useTrainingKernels } from '../../../src/backend/register-wasm-kernels.js';
import { selectBackend } from '../../../src/backend/select.js';
import { createRng } from '../../../src/util/random.js';
import { randomHostTensor, type HostTensor } from '../kernels/compare-backends.js';
import { nativeTrainingUnavailable, sameBits } from './native-status.js';

const reason = nativeTrainingUnavailable();

/** ∂/∂x of Σ avgPool(x)·cotangent on the kernels `kind`. */
async function poolGradient(kind: 'native' | 'wasm', x: HostTensor, size: number, stride: number, pad: 'same' | 'valid'): Promise<Float32Array> {
  useTrainingKernels(kind);
  const before = tf.memory().numTensors;
  const dx = tf.tidy(() =>
    tf.grad((xs: tf.Tensor) => {
      const y = tf.avgPool(xs as tf.Tensor4D, size, stride, pad);
      return tf.sum(tf.mul(y, tf.sin(tf.reshape(tf.range(0, y.size), y.shape))));
    })(tf.tensor(x.values, x.shape)),
  );
  const values = (await dx.data()) as Float32Array;
  dx.dispose();
  expect(tf.memory().numTensors).toBe(before);
  return values;
}

describe.skipIf(reason !== undefined)('average pooling gradient on the native kernels', () => {
  beforeAll(async () => {
    await selectBackend('wasm', { kernels: 'native', threads: 1 });
  });

  it.each([
    ['2×2/2 same, odd sides (windows over the border)', [3, 7, 9, 17], 2, 2, 'same'],
    ['2×2/2 same, the shortcut of R', [2, 14, 14, 32], 2, 2, 'same'],
    ['3×3/1 same, overlapping windows', [1, 6, 5, 33], 3, 1, 'same'],
    ['3×3/2 valid', [3, 9, 8, 5], 3, 2, 'valid'],
  ] as const)('%s: dx bit for bit the JavaScript kernel’s, at 1, 2 and 3 threads', async (_what, shape, size, stride, pad) => {
    const x = randomHostTensor(createRng(shape[3] * 13 + size), [...shape]);
    const wasm = await poolGradient('wasm', x, size, stride, pad);
    for (const threads of [1, 2, 3]) {
      openNativeTraining(threads);
      expect(sameBits(await poolGradient('native', x, size, stride, pad), wasm), `${threads} threads`).toBe(true);
    }
    openNativeTraining(1);
  });

  describe('the addon refuses what does not fit', () => {
    // 2×2/2 'same' pooling of a 1×5×5×3 input: 3×3 outputs, no padding at the top and left
    const geometry = (patch: Partial<Record<'kh' | 'dil' | 'cout' | 'pad', number>> = {}) =>
      Int32Array.of(1, 5, 5, 3, patch.kh ?? 2, 2, 2, 2, patch.dil ?? 1, 1, patch.pad ?? 0, 0, 3, 3, patch.cout ?? 3);
    const call = (g: Int32Array, dy = new Float32Array(27), dx = new Float32Array(75)) => openNativeTraining(1).addon.avgPoolGrad(g, dy, dx, 1);

    it('accepts the honest call: each dx pixel gets its window’s dy / 4', () => {
      const dy = new Float32Array(27).fill(8);
      const dx = new Float32Array(75);
      call(geometry(), dy, dx);
      expect(dx[0]).toBe(2);
      // the last row and column sit in windows with only 2 (edge) or 1 (corner) valid pixels
      expect(dx[74]).toBe(8);
    });

    it.each([
      ['a dilated window', () => call(geometry({ dil: 2 }))],
      ['cout ≠ c', () => call(geometry({ cout: 4 }))],
      ['padding of a whole window', () => call(geometry({ pad: 2 }))],
      ['a short dy', () => call(geometry(), new Float32Array(26))],
      ['a short dx', () => call(geometry(), new Float32Array(27), new Float32Array(74))],
    ])('refuses %s with a RangeError', (_what, bad) => {
      expect(bad).toThrow(RangeError);
    });

    it('refuses a dx that overlaps dy', () => {
      const heap = new Float32Array(100);
      expect(() => call(geometry(), heap.subarray(0, 27), heap.subarray(20, 95))).toThrow(/overlap/);
    });
  });
});
