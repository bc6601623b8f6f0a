// ReLU on the native kernels equals tfjs-wasm's: the forward its XNNPACK clamp (−0 to +0, NaN and
// subnormals kept), the gradient (one fused pass) its Step·Cast·Multiply (signed zeros kept, NaN
// propagated); sizes not multiples of 16, for 1, 2 and 3 threads; small tensors stay with the stock
// kernel; the addon refuses arrays of different lengths before touching memory.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../helpers/tfjs.js';
import { openNativeTraining } from '../../../src/backend/native/native-training.js';
import { useTrainingKernels } from '../../../src/backend/register-wasm-kernels.js';
import { selectBackend } from '../../../src/backend/select.js';
import { createRng } from '../../../src/util/random.js';
import { randomHostTensor, type HostTensor } from '../kernels/compare-backends.js';
import { nativeTrainingUnavailable } from './native-status.js';

const reason = nativeTrainingUnavailable();

/** relu(x) on the kernels `kind`. */
async function relu(kind: 'native' | 'wasm', x: HostTensor): Promise<Float32Array> {
  useTrainingKernels(kind);
  const y = tf.relu(tf.tensor(x.values, x.shape));
  const values = (await y.data()) as Float32Array;
  y.dispose();
  return values;
}

/** ∂/∂x of Σ relu(x)·cotangent on the kernels `kind`. */
async function reluGradient(kind: 'native' | 'wasm', x: HostTensor, cotangent: HostTensor): Promise<Float32Array> {
  useTrainingKernels(kind);
  const before = tf.memory().numTensors;
  const dx = tf.tidy(() => tf.grad((xs: tf.Tensor) => tf.sum(tf.mul(tf.relu(xs), tf.tensor(cotangent.values, cotangent.shape))))(tf.tensor(x.values, x.shape)));
  const values = (await dx.data()) as Float32Array;
  dx.dispose();
  expect(tf.memory().numTensors).toBe(before);
  return values;
}

/** Equal values, ±0 told apart, any NaN equal to any NaN (tfjs does not fix NaN payloads). */
function sameValues(a: Float32Array, b: Float32Array): boolean {
  return a.length === b.length && a.every((v, i) => Object.is(v, b[i]) || (Number.isNaN(v) && Number.isNaN(b[i]!)));
}

describe.skipIf(reason !== undefined)('ReLU gradient on the native kernels', () => {
  beforeAll(async () => {
    await selectBackend('wasm', { kernels: 'native', threads: 1 });
  });

  it.each([
    ['a stage-1 map of R', [4, 28, 28, 32]],
    ['an odd size over several chunks', [3, 17, 19, 71]],
    ['a small tensor (the stock kernel)', [5, 7]],
  ] as const)('forward, %s: tfjs-wasm’s values at 1, 2 and 3 threads', async (_what, shape) => {
    const rng = createRng(7 * shape.reduce((a, b) => a * b, 1));
    const x = randomHostTensor(rng, [...shape]);
    [0, -0, NaN, -1e-45, 1e-45, -Infinity, Infinity].forEach((v, i) => (x.values[i] = v));
    const wasm = await relu('wasm', x);
    expect([wasm[0], wasm[1], wasm[3], wasm[4]]).toEqual([0, 0, 0, Math.fround(1e-45)]);
    expect(Object.is(wasm[1], 0) && Number.isNaN(wasm[2]!)).toBe(true);
    for (const threads of [1, 2, 3]) {
      openNativeTraining(threads);
      expect(sameValues(await relu('native', x), wasm), `${threads} threads`).toBe(true);
    }
    openNativeTraining(1);
  });

  it.each([
    ['a stage-1 map of R/2', [2, 28, 28, 16]],
    ['an odd size over several chunks', [3, 17, 19, 67]],
    ['a few elements', [5]],
  ] as const)('%s: tfjs’ values at 1, 2 and 3 threads', async (_what, shape) => {
    const rng = createRng(shape.reduce((a, b) => a * b, 1));
    const x = randomHostTensor(rng, [...shape]);
    const cotangent = randomHostTensor(rng, [...shape]);
    // x: zeros of both signs and NaN; the cotangent: negatives where x ≤ 0 (dy · 0 = −0), NaN where x > 0
    [0, -0, NaN, -1e-45, 1e-45].forEach((v, i) => (x.values[i] = v));
    cotangent.values[0] = -2;
    cotangent.values[1] = -3;
    cotangent.values[4] = NaN;
    const wasm = await reluGradient('wasm', x, cotangent);
    expect(Object.is(wasm[0], -0) && Number.isNaN(wasm[2]!)).toBe(true);
    for (const threads of [1, 2, 3]) {
      openNativeTraining(threads);
      expect(sameValues(await reluGradient('native', x, cotangent), wasm), `${threads} threads`).toBe(true);
    }
    openNativeTraining(1);
  });

  it('the addon refuses arrays of different lengths', () => {
    const addon = openNativeTraining(1).addon;
    expect(() => addon.relu(new Float32Array(8), new Float32Array(7), 1)).toThrow(/y: expected 8 elements, got 7/);
    const same = new Float32Array(8);
    expect(() => addon.relu(same, same, 1)).toThrow(/overlap/);
    expect(() => addon.reluGrad(new Float32Array(8), new Float32Array(7), new Float32Array(8), 1)).toThrow(/dy: expected 8 elements, got 7/);
    expect(() => addon.reluGrad(new Float32Array(8), new Float32Array(8), new Float32Array(9), 1)).toThrow(/dx: expected 8 elements, got 9/);
    const shared = new Float32Array(8);
    expect(() => addon.reluGrad(shared, new Float32Array(8), shared, 1)).toThrow(/overlap/);
  });
});
