/** Helpers for tests that run one kernel on wasm (ours) and on cpu (stock tfjs) and compare. */
import { expect } from 'vitest';
import * as tf from '../../helpers/tfjs.js';
import '@tensorflow/tfjs-backend-wasm';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { randomNormal, type Rng } from '../../../src/util/random.js';

export interface HostTensor {
  shape: number[];
  values: Float32Array;
}

/** A tensor's worth of seeded standard-normal values, kept on the host so both backends see identical data. */
export function randomHostTensor(rng: Rng, shape: number[]): HostTensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) values[i] = randomNormal(rng);
  return { shape, values };
}

/** Run `kernelName` on `backend` through the engine (as an op would) and return its output values. */
export async function runKernelOn(backend: 'cpu' | 'wasm', kernelName: string, inputs: Record<string, HostTensor>, attrs: object): Promise<Float32Array> {
  await tf.setBackend(backend);
  const tensors: tf.NamedTensorMap = {};
  for (const [name, t] of Object.entries(inputs)) tensors[name] = tf.tensor(t.values, t.shape);
  const out = tf.engine().runKernel(kernelName, tensors, attrs as tf.NamedAttrMap) as tf.Tensor;
  const values = (await out.data()) as Float32Array;
  tf.dispose([out, ...Object.values(tensors)]);
  return values;
}

/** max |a − ref| / max |ref|: the error measure the kernels are held to (1e-4). */
export function maxRelativeError(a: ArrayLike<number>, ref: ArrayLike<number>): number {
  if (a.length !== ref.length) throw new Error(`length ${a.length} vs reference ${ref.length}`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < ref.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - ref[i]!));
    scale = Math.max(scale, Math.abs(ref[i]!));
  }
  return scale === 0 ? diff : diff / scale;
}

/** Buffers alive on the wasm heap: a kernel must leave exactly its output behind. */
export function wasmDataIds(): number {
  return (tf.findBackend('wasm') as BackendWasm).numDataIds();
}

/** A filter with zeros inserted between taps: a dilation-d convolution equals a dilation-1 one with this filter. */
export function insertFilterZeros(filter: HostTensor, dilationHeight: number, dilationWidth: number): HostTensor {
  const [kh, kw, ci, co] = filter.shape as [number, number, number, number];
  const eh = (kh - 1) * dilationHeight + 1;
  const ew = (kw - 1) * dilationWidth + 1;
  const values = new Float32Array(eh * ew * ci * co);
  const block = ci * co;
  for (let a = 0; a < kh; a++) {
    for (let b = 0; b < kw; b++) {
      const src = (a * kw + b) * block;
      values.set(filter.values.subarray(src, src + block), (a * dilationHeight * ew + b * dilationWidth) * block);
    }
  }
  return { shape: [eh, ew, ci, co], values };
}

/** The taps of a zero-inserted filter's gradient that belong to real filter taps. */
export function takeDilatedTaps(
  values: Float32Array,
  filterShape: [number, number, number, number],
  dilationHeight: number,
  dilationWidth: number,
): Float32Array {
  const [kh, kw, ci, co] = filterShape;
  const ew = (kw - 1) * dilationWidth + 1;
  const block = ci * co;
  const out = new Float32Array(kh * kw * block);
  for (let a = 0; a < kh; a++) {
    for (let b = 0; b < kw; b++) {
      const src = (a * dilationHeight * ew + b * dilationWidth) * block;
      out.set(values.subarray(src, src + block), (a * kw + b) * block);
    }
  }
  return out;
}

/**
 * The gradient of Σ conv2d(x, filter, stride 2, 'same') · dy with respect to `x` or `filter`, as
 * tf.grad computes it on `backend`; no tensor may outlive the call.
 */
export async function conv2dGradientOn(backend: 'cpu' | 'wasm', wrt: 'x' | 'filter', x: HostTensor, filter: HostTensor, dy: HostTensor): Promise<Float32Array> {
  await tf.setBackend(backend);
  const start = tf.memory().numTensors;
  const g = tf.tidy(() => {
    const [xt, wt, dyt] = [tf.tensor(x.values, x.shape), tf.tensor(filter.values, filter.shape), tf.tensor(dy.values, dy.shape)];
    const loss = (input: tf.Tensor, w: tf.Tensor) =>
      tf
        .conv2d(input as tf.Tensor4D, w as tf.Tensor4D, 2, 'same')
        .mul(dyt)
        .sum();
    return wrt === 'x' ? tf.grad((input: tf.Tensor) => loss(input, wt))(xt) : tf.grad((w: tf.Tensor) => loss(xt, w))(wt);
  });
  const values = (await g.data()) as Float32Array;
  g.dispose();
  expect(tf.memory().numTensors).toBe(start);
  return values;
}
