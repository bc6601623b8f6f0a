import { describe, expect, it } from 'vitest';
import * as tf from '../../helpers/tfjs.js';
import { createRng } from '../../../src/util/random.js';
import { registerWasmTrainingKernels } from '../../../src/backend/register-wasm-kernels.js';
import { conv2DGradientConfig, registerConv2DGradient } from '../../../src/backend/kernels/conv2d-gradient.js';
import { insertFilterZeros, maxRelativeError, randomHostTensor, type HostTensor } from './compare-backends.js';

interface Case {
  x: [number, number, number, number];
  filter: [number, number, number, number];
  dilation: [number, number];
  pad: 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];
}

const CASES: Case[] = [
  { x: [2, 9, 8, 3], filter: [3, 3, 3, 4], dilation: [2, 2], pad: 'same' },
  { x: [1, 12, 11, 2], filter: [3, 3, 2, 5], dilation: [4, 4], pad: 'valid' },
  { x: [1, 19, 18, 3], filter: [3, 3, 3, 2], dilation: [8, 8], pad: 'same' },
  {
    x: [2, 10, 9, 3],
    filter: [5, 5, 3, 3],
    dilation: [2, 2],
    pad: [
      [0, 0],
      [1, 3],
      [2, 0],
      [0, 0],
    ],
  },
  { x: [1, 7, 12, 1], filter: [1, 3, 1, 3], dilation: [1, 4], pad: 'same' },
];

/** Gradients of Σ conv2d(x, w) · dy w.r.t. x and w, on `backend`, for a dilated conv2d. */
async function dilatedGrads(backend: 'cpu' | 'wasm', c: Case, x: HostTensor, w: HostTensor, dy: HostTensor): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const start = tf.memory().numTensors;
  const grads = tf.tidy(() => {
    const dyt = tf.tensor(dy.values, dy.shape);
    const f = (a: tf.Tensor, b: tf.Tensor) =>
      tf
        .conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, c.pad, 'NHWC', c.dilation)
        .mul(dyt)
        .sum();
    return tf.grads(f)([tf.tensor(x.values, x.shape), tf.tensor(w.values, w.shape)]);
  });
  const values = await Promise.all(grads.map(async (g) => (await g.data()) as Float32Array));
  tf.dispose(grads);
  expect(tf.memory().numTensors).toBe(start);
  return values;
}

/** Reference: stock cpu gradients of the undilated conv with the zero-inserted filter. */
async function referenceGrads(c: Case, x: HostTensor, w: HostTensor, dy: HostTensor): Promise<Float32Array[]> {
  await tf.setBackend('cpu');
  const wide = insertFilterZeros(w, c.dilation[0], c.dilation[1]);
  const grads = tf.tidy(() => {
    const dyt = tf.tensor(dy.values, dy.shape);
    const f = (a: tf.Tensor, b: tf.Tensor) =>
      tf
        .conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, c.pad)
        .mul(dyt)
        .sum();
    const [gx, gw] = tf.grads(f)([tf.tensor(x.values, x.shape), tf.tensor(wide.values, wide.shape)]);
    // keep only the real taps of the wide filter's gradient
    const [kh, kw] = c.filter;
    const taps = [];
    for (let a = 0; a < kh; a++) for (let b = 0; b < kw; b++) taps.push(gw!.slice([a * c.dilation[0], b * c.dilation[1]], [1, 1]));
    return [gx!, tf.concat(taps, 0).reshape(c.filter)];
  });
  const values = await Promise.all(grads.map(async (g) => (await g.data()) as Float32Array));
  tf.dispose(grads);
  return values;
}

describe('Conv2D gradient with dilation', () => {
  it('replaces tfjs’ gradient idempotently', () => {
    registerConv2DGradient();
    registerConv2DGradient();
    expect(tf.getGradient('Conv2D')).toBe(conv2DGradientConfig);
  });

  it.each(CASES.map((c) => [`${c.x.join('×')} * ${c.filter.join('×')} d${c.dilation.join(',')} ${JSON.stringify(c.pad)}`, c] as const))(
    '%s: wasm (native dilation) and cpu (zero-inserted filter) match the reference',
    async (_name, c) => {
      registerWasmTrainingKernels();
      const rng = createRng(c.x.reduce((a, b) => a * 31 + b, 7));
      const x = randomHostTensor(rng, c.x);
      const w = randomHostTensor(rng, c.filter);
      await tf.setBackend('cpu');
      const outShape = tf.tidy(() => tf.conv2d(tf.zeros(c.x) as tf.Tensor4D, tf.zeros(c.filter) as tf.Tensor4D, 1, c.pad, 'NHWC', c.dilation).shape);
      const dy = randomHostTensor(rng, outShape);
      const [refX, refW] = await referenceGrads(c, x, w, dy);
      for (const backend of ['wasm', 'cpu'] as const) {
        const [gx, gw] = await dilatedGrads(backend, c, x, w, dy);
        expect(maxRelativeError(gx!, refX!), `${backend} dx`).toBeLessThan(1e-4);
        expect(maxRelativeError(gw!, refW!), `${backend} dW`).toBeLessThan(1e-4);
      }
    },
  );
});
