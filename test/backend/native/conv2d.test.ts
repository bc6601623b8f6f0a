// The native training convolutions (Conv2D, Conv2DBackpropInput, Conv2DBackpropFilter on the wasm
// backend) against a float64 reference on randomized geometries — kernels 1/3/5 and non-square,
// strides 1–2, dilations 1–8, every padding mode, batch 1 and odd batches, channel counts that are
// not multiples of 16 or 32 — to 1e-5 relative; the forward bit-identical to XNNPACK's; bit-identical
// for any thread count; the wasm kernels come back exactly when asked for. Skipped, saying why, when the addon is not built.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../helpers/tfjs.js';
import '@tensorflow/tfjs-backend-wasm';
import { convGeometry, type ConvGeometry } from '../../../src/backend/kernels/conv-geometry.js';
import { openNativeTraining } from '../../../src/backend/native/native-training.js';
import { useTrainingKernels } from '../../../src/backend/register-wasm-kernels.js';
import { selectBackend } from '../../../src/backend/select.js';
import { createRng, randomInt } from '../../../src/util/random.js';
import { NotAvailableError } from '../../../src/util/errors.js';
import { nativeTrainingUnavailable } from './native-status.js';
import { maxRelativeError, randomHostTensor, runKernelOn, type HostTensor } from '../kernels/compare-backends.js';
import { convCases, describeCase, filterShape, inputShape, outputShape, type ConvCase } from '../kernels/conv-cases.js';

const TOLERANCE = 1e-5;

const reason = nativeTrainingUnavailable();

/** Input pixel offset of (n, ih, iw) or −1 outside; the forward geometry's index arithmetic in float64 loops. */
function reference(g: ConvGeometry, op: 'forward' | 'input' | 'filter', a: Float32Array, b: Float32Array): Float64Array {
  const { batch: n, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow, outChannels: co, filterHeight: kh, filterWidth: kw } = g;
  const out = new Float64Array(op === 'forward' ? n * oh * ow * co : op === 'input' ? n * h * w * c : kh * kw * c * co);
  for (let b0 = 0; b0 < n; b0++) {
    for (let y = 0; y < oh; y++) {
      for (let x = 0; x < ow; x++) {
        for (let ky = 0; ky < kh; ky++) {
          const ih = y * g.strideHeight - g.padTop + ky * g.dilationHeight;
          if (ih < 0 || ih >= h) continue;
          for (let kx = 0; kx < kw; kx++) {
            const iw = x * g.strideWidth - g.padLeft + kx * g.dilationWidth;
            if (iw < 0 || iw >= w) continue;
            const xi = ((b0 * h + ih) * w + iw) * c;
            const yi = ((b0 * oh + y) * ow + x) * co;
            const fi = (ky * kw + kx) * c * co;
            for (let ci = 0; ci < c; ci++) {
              for (let o = 0; o < co; o++) {
                if (op === 'forward') out[yi + o]! += a[xi + ci]! * b[fi + ci * co + o]!;
                else if (op === 'input') out[xi + ci]! += a[yi + o]! * b[fi + ci * co + o]!;
                else out[fi + ci * co + o]! += a[xi + ci]! * b[yi + o]!;
              }
            }
          }
        }
      }
    }
  }
  return out;
}

/**
 * The conv-cases geometries (NHWC ones), with wider channel counts on some: 17, 33, 50 and 70 are not
 * multiples of 16; and two with rows enough for the widest bands of narrow layers (conv-train.c's
 * band_rows: 336 rows, the strided input gradient's phases cut across them).
 */
function nativeCases(): ConvCase[] {
  const rng = createRng(20261205);
  const wide = [16, 17, 32, 33, 50, 70];
  const manyRows = { kernel: [3, 3], dilation: [1, 1], pad: 'same', dataFormat: 'NHWC' } as const;
  return [
    ...convCases(20261205, 16)
      .filter((c) => c.dataFormat === 'NHWC')
      .map((c, i) => (i % 3 === 0 ? { ...c, inChannels: wide[randomInt(rng, wide.length)]!, outChannels: wide[randomInt(rng, wide.length)]!, batch: 3 } : c)),
    { ...manyRows, batch: 3, height: 30, width: 30, inChannels: 5, outChannels: 7, stride: [1, 1] },
    { ...manyRows, batch: 3, height: 31, width: 29, inChannels: 6, outChannels: 9, stride: [2, 2] },
  ] as ConvCase[];
}

async function runAll(c: ConvCase, x: HostTensor, w: HostTensor, dy: HostTensor): Promise<Float32Array[]> {
  const common = { strides: c.stride, dilations: c.dilation, pad: c.pad, dataFormat: c.dataFormat };
  return [
    await runKernelOn('wasm', 'Conv2D', { x, filter: w }, common),
    await runKernelOn('wasm', 'Conv2DBackpropInput', { dy, filter: w }, { ...common, inputShape: inputShape(c) }),
    await runKernelOn('wasm', 'Conv2DBackpropFilter', { x, dy }, { ...common, filterShape: filterShape(c) }),
  ];
}

describe.skipIf(reason === undefined)(`native training kernels: skipped — ${reason ?? ''}`, () => {
  it('selecting native kernels fails clearly and auto falls back to wasm, saying why', async () => {
    await expect(selectBackend('wasm', { kernels: 'native' })).rejects.toThrow(NotAvailableError);
    const choice = await selectBackend('wasm', { kernels: 'auto' });
    expect(choice.training).toMatchObject({ kind: 'wasm' });
  });
});

describe.skipIf(reason !== undefined)('native training convolutions (wasm backend)', () => {
  beforeAll(async () => {
    await selectBackend('wasm', { kernels: 'native', threads: 1 });
  });
  afterAll(async () => {
    await selectBackend('wasm', { kernels: 'wasm' });
  });

  const cases = nativeCases();
  it.each(cases.map((c, i) => [describeCase(c), c, i] as const))('%s: forward, dx and dW equal float64 to 1e-5', async (_name, c, i) => {
    const rng = createRng(500 + i);
    const x = randomHostTensor(rng, inputShape(c));
    const w = randomHostTensor(rng, filterShape(c));
    const dy = randomHostTensor(rng, outputShape(c));
    const g = convGeometry(x.shape, filterShape(c), { strides: c.stride, dilations: c.dilation, pad: c.pad, dataFormat: c.dataFormat });
    const [y, dx, dw] = await runAll(c, x, w, dy);
    expect(maxRelativeError(y!, reference(g, 'forward', x.values, w.values))).toBeLessThan(TOLERANCE);
    expect(maxRelativeError(dx!, reference(g, 'input', dy.values, w.values))).toBeLessThan(TOLERANCE);
    expect(maxRelativeError(dw!, reference(g, 'filter', x.values, dy.values))).toBeLessThan(TOLERANCE);
  });

  it("computes the forward exactly as tfjs-wasm's XNNPACK does, bit for bit (so inference, the packed engine and ONNX agree)", async () => {
    for (const [i, c] of cases.entries()) {
      // One input and one output channel: XNNPACK takes its depthwise micro-kernels, which sum the taps in two
      // accumulators; no model of ours has such a convolution, so the GEMM order is the one to match.
      if (c.inChannels === 1 && c.outChannels === 1) continue;
      const rng = createRng(700 + i);
      const x = randomHostTensor(rng, inputShape(c));
      const w = randomHostTensor(rng, filterShape(c));
      const attrs = { strides: c.stride, dilations: c.dilation, pad: c.pad, dataFormat: c.dataFormat };
      const native = await runKernelOn('wasm', 'Conv2D', { x, filter: w }, attrs);
      useTrainingKernels('wasm');
      const xnnpack = await runKernelOn('wasm', 'Conv2D', { x, filter: w }, attrs);
      useTrainingKernels('native');
      expect(Buffer.from(native.buffer).equals(Buffer.from(xnnpack.buffer)), describeCase(c)).toBe(true);
    }
  });

  // The filter gradient sums parts of the output pixels apart (conv-train.c): the cases give it
  // four parts, three, one part split by tiles, and a dW too wide for more than one copy.
  it.each([
    ['4 parts', { batch: 5, height: 23, width: 21, inChannels: 17, outChannels: 16, pad: 'same' }],
    ['3 parts, a sum over two chunks of dW', { batch: 5, height: 17, width: 19, inChannels: 33, outChannels: 70, pad: 'same' }],
    ['one part, tiles split', { batch: 1, height: 6, width: 6, inChannels: 70, outChannels: 50, pad: 'valid' }],
    ['dW above the copies budget', { batch: 1, height: 17, width: 17, inChannels: 512, outChannels: 520, pad: 'same' }],
  ] as const)('gives bit-identical results with 1, 2 and 3 threads (%s)', async (_what, shape) => {
    const rng = createRng(9);
    const c: ConvCase = { ...cases[5]!, stride: [1, 1], dilation: [1, 1], kernel: [3, 3], ...shape };
    const x = randomHostTensor(rng, inputShape(c));
    const w = randomHostTensor(rng, filterShape(c));
    const dy = randomHostTensor(rng, outputShape(c));
    const results: Float32Array[][] = [];
    for (const threads of [1, 2, 3]) {
      openNativeTraining(threads);
      results.push(await runAll(c, x, w, dy));
    }
    openNativeTraining(1);
    for (const r of results.slice(1)) {
      r.forEach((values, k) => expect(Buffer.from(values.buffer).equals(Buffer.from(results[0]![k]!.buffer)), `output ${k}`).toBe(true));
    }
  });

  it('is the gradient tf.grads computes, as on the cpu backend', async () => {
    const rng = createRng(3);
    const x = randomHostTensor(rng, [3, 9, 7, 17]);
    const w = randomHostTensor(rng, [3, 3, 17, 33]);
    const grads = async (backend: 'cpu' | 'wasm') => {
      await tf.setBackend(backend);
      const [gx, gw] = tf.tidy(() => {
        const f = (a: tf.Tensor, b: tf.Tensor) =>
          tf
            .conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same', 'NHWC', 1)
            .square()
            .sum();
        return tf.grads(f)([tf.tensor(x.values, x.shape), tf.tensor(w.values, w.shape)]);
      });
      const values = [(await gx!.data()) as Float32Array, (await gw!.data()) as Float32Array];
      tf.dispose([gx!, gw!]);
      return values;
    };
    const [nx, nw] = await grads('wasm');
    const [cx, cw] = await grads('cpu');
    expect(maxRelativeError(nx!, cx!)).toBeLessThan(TOLERANCE);
    expect(maxRelativeError(nw!, cw!)).toBeLessThan(TOLERANCE);
  });

  it('computes NCHW cases by transposing to NHWC, as the wasm composites do', async () => {
    const nchw = convCases(1).filter((c) => c.dataFormat === 'NCHW');
    for (const [i, c] of nchw.entries()) {
      const rng = createRng(40 + i);
      const x = randomHostTensor(rng, inputShape(c));
      const w = randomHostTensor(rng, filterShape(c));
      const dy = randomHostTensor(rng, outputShape(c));
      const [y, dx, dw] = await runAll(c, x, w, dy);
      const common = { strides: c.stride, dilations: c.dilation, pad: c.pad, dataFormat: c.dataFormat };
      expect(maxRelativeError(y!, await runKernelOn('cpu', 'Conv2D', { x, filter: w }, common))).toBeLessThan(TOLERANCE);
      useTrainingKernels('wasm');
      const dxWasm = await runKernelOn('wasm', 'Conv2DBackpropInput', { dy, filter: w }, { ...common, inputShape: inputShape(c) });
      const dwWasm = await runKernelOn('wasm', 'Conv2DBackpropFilter', { x, dy }, { ...common, filterShape: filterShape(c) });
      useTrainingKernels('native');
      expect(maxRelativeError(dx!, dxWasm)).toBeLessThan(1e-4);
      expect(maxRelativeError(dw!, dwWasm)).toBeLessThan(1e-4);
    }
  });

  it('--kernels wasm puts every replaced kernel back', async () => {
    useTrainingKernels('wasm');
    for (const name of ['Conv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter']) {
      expect(tf.getKernel(name, 'wasm')?.kernelFunc.name).not.toMatch(/Native$/);
    }
    useTrainingKernels('native');
    expect(tf.getKernel('Conv2D', 'wasm')?.kernelFunc.name).toBe('conv2DNative');
  });
});

describe.skipIf(reason !== undefined)('the addon refuses lying operands to conv2d', () => {
  const geometry = () => Int32Array.of(2, 5, 5, 3, 3, 3, 1, 1, 1, 1, 1, 1, 5, 5, 4);
  const sizes = { x: 2 * 5 * 5 * 3, filter: 3 * 3 * 3 * 4, y: 2 * 5 * 5 * 4 };
  const call = (op: 0 | 1 | 2, g: Int32Array, a: Float32Array, b: Float32Array, out: Float32Array, threads = 1) => {
    const native = openNativeTraining(1);
    native.addon.conv2d(op, native.pathId, g, a, b, out, threads);
  };

  it('accepts the honest call', () => {
    expect(() => call(0, geometry(), new Float32Array(sizes.x), new Float32Array(sizes.filter), new Float32Array(sizes.y))).not.toThrow();
  });

  it.each([
    ['a short input', () => call(0, geometry(), new Float32Array(sizes.x - 1), new Float32Array(sizes.filter), new Float32Array(sizes.y))],
    ['a long filter', () => call(0, geometry(), new Float32Array(sizes.x), new Float32Array(sizes.filter + 1), new Float32Array(sizes.y))],
    ['a short output', () => call(1, geometry(), new Float32Array(sizes.y), new Float32Array(sizes.filter), new Float32Array(sizes.x - 3))],
    ['an Int32Array', () => call(2, geometry(), new Float32Array(sizes.x), new Int32Array(sizes.y) as unknown as Float32Array, new Float32Array(sizes.filter))],
    ['a geometry of 14 numbers', () => call(0, geometry().subarray(1), new Float32Array(sizes.x), new Float32Array(sizes.filter), new Float32Array(sizes.y))],
    ['a zero stride', () => call(0, Object.assign(geometry(), { 6: 0 }), new Float32Array(sizes.x), new Float32Array(sizes.filter), new Float32Array(sizes.y))],
    [
      'a huge pad',
      () => call(0, Object.assign(geometry(), { 10: 1 << 20 }), new Float32Array(sizes.x), new Float32Array(sizes.filter), new Float32Array(sizes.y)),
    ],
    ['an unknown op', () => call(3 as 0, geometry(), new Float32Array(sizes.x), new Float32Array(sizes.filter), new Float32Array(sizes.y))],
    ['65 threads', () => call(0, geometry(), new Float32Array(sizes.x), new Float32Array(sizes.filter), new Float32Array(sizes.y), 65)],
  ])('refuses %s with a RangeError', (_what, bad) => {
    expect(bad).toThrow(RangeError);
  });

  it('refuses an output that overlaps an input', () => {
    const heap = new Float32Array(sizes.x + sizes.y);
    const x = heap.subarray(0, sizes.x);
    const out = heap.subarray(sizes.x - 1, sizes.x - 1 + sizes.y);
    expect(() => call(0, geometry(), x, new Float32Array(sizes.filter), out)).toThrow(/overlap/);
  });
});
