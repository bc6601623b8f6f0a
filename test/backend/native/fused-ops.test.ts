// The fused training ops on the native kernels against the stock-op compositions they replace
// (nn's batchNormTraining, signConv2d, the two as one op, mixBases, the search's mixed quantizer computed with --kernels wasm): values and every
// gradient to 1e-5 relative (the optimizer updates bit for bit), on shapes whose channel counts are not multiples of 16 or 32, odd
// batches and every padding the models use; bit-identical for 1, 2 and 3 threads; nothing leaks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../helpers/tfjs.js';
import { openNativeTraining } from '../../../src/backend/native/native-training.js';
import { useTrainingKernels } from '../../../src/backend/register-wasm-kernels.js';
import { selectBackend } from '../../../src/backend/select.js';
import { batchNormTraining } from '../../../src/nn/layers/batch-norm-training.js';
import { signConvBatchNorm } from '../../../src/nn/layers/sign-conv-batch-norm.js';
import { signConv2d } from '../../../src/nn/layers/sign-conv2d.js';
import { mixBases } from '../../../src/nn/mix-bases.js';
import { stopGradient } from '../../../src/nn/stop-gradient.js';
import { mixedQuantizer } from '../../../src/search/mixed-quantizer.js';
import { magnitudeAwareSign } from '../../../src/nn/quantizers/magnitude-aware-sign.js';
import { Adam } from '../../../src/nn/optim/adam.js';
import type { OptimizedParameter } from '../../../src/nn/optim/optimizer.js';
import { SgdNesterov } from '../../../src/nn/optim/sgd-nesterov.js';
import type { SlotOptimizer } from '../../../src/nn/optim/slot-optimizer.js';
import { createRng } from '../../../src/util/random.js';
import { maxRelativeError, randomHostTensor, type HostTensor } from '../kernels/compare-backends.js';
import { nativeTrainingUnavailable, sameBits } from './native-status.js';

const TOLERANCE = 1e-5;
const reason = nativeTrainingUnavailable();

/** f's value and its gradients wrt every input, on the kernels `kind`, as host arrays; checks nothing leaks. */
async function valueAndGrads(kind: 'native' | 'wasm', inputs: HostTensor[], f: (...xs: tf.Tensor[]) => tf.Tensor): Promise<Float32Array[]> {
  useTrainingKernels(kind);
  const before = tf.memory().numTensors;
  const results = tf.tidy(() => {
    const xs = inputs.map((t) => tf.tensor(t.values, t.shape));
    // a fixed random cotangent, so every element's gradient counts
    const cotangent = (y: tf.Tensor): tf.Tensor => tf.sin(tf.add(tf.reshape(tf.range(0, y.size), y.shape), 0.5));
    const { value, grads } = tf.valueAndGrads((...args: tf.Tensor[]) => {
      const y = f(...args);
      return tf.sum(tf.mul(y, cotangent(y)));
    })(xs);
    const y = f(...xs);
    // the scale of the value: its terms' magnitudes (the sum cancels, so its own size says little)
    return [y, ...grads, value, tf.sum(tf.abs(tf.mul(y, cotangent(y))))];
  });
  const values = await Promise.all(results.map(async (t) => (await t.data()) as Float32Array));
  tf.dispose(results);
  expect(tf.memory().numTensors).toBe(before);
  return values;
}

async function expectNativeMatchesWasm(inputs: HostTensor[], f: (...xs: tf.Tensor[]) => tf.Tensor): Promise<void> {
  const native = await valueAndGrads('native', inputs, f);
  const wasm = await valueAndGrads('wasm', inputs, f);
  const [value, terms] = [native.length - 2, native.length - 1];
  native.slice(0, value).forEach((v, i) => expect(maxRelativeError(v, wasm[i]!), `output ${i}`).toBeLessThan(TOLERANCE));
  expect(Math.abs(native[value]![0]! - wasm[value]![0]!) / wasm[terms]![0]!, 'the value').toBeLessThan(TOLERANCE);
  // bit-identical for any thread count
  for (const threads of [2, 3]) {
    openNativeTraining(threads);
    const again = await valueAndGrads('native', inputs, f);
    again.forEach((v, i) => expect(sameBits(v, native[i]!), `output ${i} at ${threads} threads`).toBe(true));
  }
  openNativeTraining(1);
}

describe.skipIf(reason !== undefined)('fused training ops: native kernels vs the stock-op compositions', () => {
  beforeAll(async () => {
    await selectBackend('wasm', { kernels: 'native', threads: 1 });
  });
  afterAll(async () => {
    await selectBackend('wasm', { kernels: 'wasm' });
  });

  it.each([
    [3, 5, 7, 17],
    [1, 28, 28, 16],
    [5, 4, 3, 70],
    // more channels than the kernel sums in one block (native/src/batch-norm.c GN_BN_LANES)
    [2, 3, 5, 150],
  ])('batch norm (training) on %i×%i×%i×%i: y, the batch statistics and dx, dγ, dβ', async (n, h, w, c) => {
    const rng = createRng(n * 1000 + c);
    const x = randomHostTensor(rng, [n, h, w, c]);
    x.values.forEach((v, i) => (x.values[i] = v * 3 + 1.5));
    const gamma = randomHostTensor(rng, [c]);
    const beta = randomHostTensor(rng, [c]);
    await expectNativeMatchesWasm([x, gamma, beta], (xs, g, b) => {
      const r = batchNormTraining(xs as tf.Tensor4D, g as tf.Tensor1D, b as tf.Tensor1D, 1e-5);
      const stats = tf.concat([r.mean, r.variance]);
      tf.dispose([r.mean, r.variance]);
      return tf.concat([tf.reshape(r.y, [-1]), stopGradient(stats)]);
    });
  });

  it.each([
    [2, 6, 5, 33],
    [1, 28, 28, 16],
  ])('batch norm (training) plus a residual on %i×%i×%i×%i: y and dx, dγ, dβ, d(residual)', async (n, h, w, c) => {
    const rng = createRng(n * 2000 + c);
    const x = randomHostTensor(rng, [n, h, w, c]);
    const gamma = randomHostTensor(rng, [c]);
    const beta = randomHostTensor(rng, [c]);
    const residual = randomHostTensor(rng, [n, h, w, c]);
    await expectNativeMatchesWasm([x, gamma, beta, residual], (xs, g, b, r) => {
      const out = batchNormTraining(xs as tf.Tensor4D, g as tf.Tensor1D, b as tf.Tensor1D, 1e-5, { residual: r as tf.Tensor4D });
      tf.dispose([out.mean, out.variance]);
      return out.y;
    });
  });

  it.each([
    [3, 5, 7, 17, false],
    [2, 6, 5, 33, true],
    [1, 28, 28, 16, true],
  ])('batch norm (training) then ReLU on %i×%i×%i×%i (residual: %s): y and every gradient', async (n, h, w, c, withResidual) => {
    const rng = createRng(n * 3000 + c);
    const x = randomHostTensor(rng, [n, h, w, c]);
    const gamma = randomHostTensor(rng, [c]);
    const beta = randomHostTensor(rng, [c]);
    const inputs = [x, gamma, beta, ...(withResidual ? [randomHostTensor(rng, [n, h, w, c])] : [])];
    await expectNativeMatchesWasm(inputs, (xs, g, b, r) => {
      const out = batchNormTraining(xs as tf.Tensor4D, g as tf.Tensor1D, b as tf.Tensor1D, 1e-5, { residual: r as tf.Tensor4D | undefined, relu: true });
      tf.dispose([out.mean, out.variance]);
      // about half the outputs clamped, so the mask matters
      expect(out.y.min().dataSync()[0]).toBe(0);
      return out.y;
    });
  });

  it("the batch-norm gradient's addon call refuses a masked dy without the ReLU's output, arrays that do not fit and one over an input", () => {
    const addon = openNativeTraining(1).addon;
    const [n, c] = [12, 3]; // 4 pixels of 3 channels
    const args = (reluY: Float32Array | null, maskedDy: Float32Array | null, dy = new Float32Array(n)) =>
      [
        dy,
        new Float32Array(n),
        new Float32Array(c),
        c,
        new Float32Array(c),
        new Float32Array(c),
        new Float32Array(n),
        new Float32Array(c),
        new Float32Array(c),
        1,
        reluY,
        maskedDy,
      ] as const;
    expect(() => addon.batchNormBackward(...args(new Float32Array(n), new Float32Array(n)))).not.toThrow();
    expect(() => addon.batchNormBackward(...args(null, new Float32Array(n)))).toThrow(/maskedDy: expected null without reluY/);
    expect(() => addon.batchNormBackward(...args(new Float32Array(n - 1), null))).toThrow(/reluY: expected 12 elements, got 11/);
    expect(() => addon.batchNormBackward(...args(new Float32Array(n), new Float32Array(n + 3)))).toThrow(/maskedDy: expected 12 elements, got 15/);
    const heap = new Float32Array(2 * n);
    expect(() => addon.batchNormBackward(...args(heap.subarray(0, n), heap.subarray(n / 2, n / 2 + n)))).toThrow(/overlap/);
  });

  it.each([
    ['3×3 stride 1, binary weights', [3, 9, 7, 17], [3, 3, 17, 33], 1, 1, true],
    ['3×3 stride 2, binary weights', [2, 14, 14, 32], [3, 3, 32, 70], 2, 1, true],
    ['3×3 dilation 2, binary weights', [1, 11, 13, 40], [3, 3, 40, 16], 1, 2, true],
    ['1×1, binary weights', [5, 6, 6, 33], [1, 1, 33, 17], 1, 1, true],
    ['3×3, float weights (LBD: Σ scaled binary bases)', [3, 8, 8, 17], [3, 3, 17, 9], 1, 1, false],
  ] as const)('sign conv, %s: y, dx and dW', async (_what, xShape, wShape, stride, dilation, binary) => {
    const rng = createRng(xShape[3] * 31 + wShape[3]);
    const x = randomHostTensor(rng, [...xShape]);
    x.values.forEach((v, i) => (x.values[i] = i % 97 === 0 ? 0 : v * 1.3)); // zeros: sign(0) = +1
    const w = randomHostTensor(rng, [...wShape]);
    const pad = (dilation * (wShape[0] - 1)) / 2;
    await expectNativeMatchesWasm([x, w], (xs, ws) =>
      signConv2d(xs as tf.Tensor4D, binary ? magnitudeAwareSign(ws as tf.Tensor4D) : (ws as tf.Tensor4D), stride, pad, dilation),
    );
  });

  type ResidualMode = 'x itself' | 'a separate tensor' | 'none';
  /** signConvBatchNorm's y with binary weights, its residual as `mode` says (inputs: x, W, γ, β[, residual]). */
  const unitOp =
    (mode: ResidualMode, stride: number, dilation: number, fused: boolean) =>
    (xs: tf.Tensor, ws: tf.Tensor, g: tf.Tensor, b: tf.Tensor, r?: tf.Tensor): tf.Tensor => {
      const x = xs as tf.Tensor4D;
      const w = magnitudeAwareSign(ws as tf.Tensor4D);
      const pad = (dilation * (w.shape[0] - 1)) / 2;
      const residual = mode === 'x itself' ? x : mode === 'none' ? undefined : (r as tf.Tensor4D);
      const out = fused
        ? signConvBatchNorm(x, w, { stride, pad, dilation }, { gamma: g as tf.Tensor1D, beta: b as tf.Tensor1D, epsilon: 1e-5 }, residual)
        : batchNormTraining(signConv2d(x, w, stride, pad, dilation), g as tf.Tensor1D, b as tf.Tensor1D, 1e-5, { residual });
      const stats = tf.concat([out.mean, out.variance]);
      tf.dispose([out.mean, out.variance]);
      return tf.concat([tf.reshape(out.y, [-1]), stopGradient(stats)]);
    };

  it.each([
    ['x itself', [3, 9, 7, 17], [3, 3, 17, 17], 1, 1],
    ['x itself', [2, 11, 13, 40], [3, 3, 40, 40], 1, 2],
    ['a separate tensor', [2, 14, 14, 32], [3, 3, 32, 70], 2, 1],
    ['none', [5, 4, 3, 33], [1, 1, 33, 17], 1, 1],
  ] as const)('sign conv → batch norm as one op, residual %s, x %j: y, the statistics and dx, dW, dγ, dβ', async (mode, xShape, wShape, stride, dilation) => {
    const rng = createRng(xShape[3] * 37 + wShape[3]);
    const x = randomHostTensor(rng, [...xShape]);
    x.values.forEach((v, i) => (x.values[i] = i % 89 === 0 ? 0 : v * 1.3));
    const w = randomHostTensor(rng, [...wShape]);
    const gamma = randomHostTensor(rng, [wShape[3]]);
    const beta = randomHostTensor(rng, [wShape[3]]);
    const [n, h, wd] = xShape;
    const outShape = [n, Math.floor((h - 1) / stride) + 1, Math.floor((wd - 1) / stride) + 1, wShape[3]];
    const inputs = [x, w, gamma, beta, ...(mode === 'a separate tensor' ? [randomHostTensor(rng, outShape)] : [])];
    await expectNativeMatchesWasm(inputs, unitOp(mode, stride, dilation, true));
    // on the native kernels, the one op gives the bits of the two it replaces (x's two gradients summed in the kernel as tf.add would)
    const fused = await valueAndGrads('native', inputs, unitOp(mode, stride, dilation, true));
    const separate = await valueAndGrads('native', inputs, unitOp(mode, stride, dilation, false));
    fused.forEach((v, i) => expect(sameBits(v, separate[i]!), `output ${i}: one op vs two`).toBe(true));
  });

  it.each([
    ['soft 5×5', 5, 5],
    ['aggregate 1×3', 1, 3],
    ['widening 4×2', 4, 2],
  ] as const)('base mixing, %s: every output and dW, dx_k', async (_what, rows, cols) => {
    const rng = createRng(rows * 10 + cols);
    const parts = Array.from({ length: cols }, () => randomHostTensor(rng, [3, 5, 7, 19]));
    const weights = randomHostTensor(rng, [rows, cols]);
    await expectNativeMatchesWasm([weights, ...parts], (w, ...xs) => tf.stack(mixBases(xs as tf.Tensor4D[], w as tf.Tensor2D)));
  });

  it.each([
    ['1, 2, 4 bits, clipped STE', [1, 2, 4], 'ste', true, [3, 5, 7, 17]],
    ['1, 2, 4 bits, Bi-Real slope', [1, 2, 4], 'approx', true, [1, 4, 4, 70]],
    ['2, 4 bits', [2, 4], 'ste', true, [2, 3, 5, 33]],
    ['1, 2 bits, no gradient for the weights', [1, 2], 'ste', false, [3, 5, 7, 17]],
  ] as const)('mixed activation quantizer, %s: y and dx bit for bit, dp', async (_what, bits, estimator, weightsGradient, shape) => {
    const beta = 2;
    const rng = createRng(shape[3] * 7 + bits.length);
    const x = randomHostTensor(rng, [...shape]);
    // the edges of every mask and level: 0, ±1, β, half-way between 2-bit levels, and past the clip
    const edges = [0, 1, -1, beta, beta / 6, beta / 2, -beta, 2 * beta];
    x.values.forEach((v, i) => (x.values[i] = i % 5 === 0 ? edges[(i / 5) % edges.length]! : v * 2 + 0.5));
    const p: HostTensor = { shape: [bits.length], values: Float32Array.from(bits, (_, i) => 0.15 + 0.3 * i) };
    const f = (xs: tf.Tensor, ps: tf.Tensor) => mixedQuantizer(bits, ps as tf.Tensor1D, { estimator, beta, weightsGradient })(xs as tf.Tensor4D);
    const [yNative, dxNative] = await valueAndGrads('native', [x, p], f);
    const [yWasm, dxWasm] = await valueAndGrads('wasm', [x, p], f);
    expect(sameBits(yNative!, yWasm!), 'y').toBe(true);
    expect(sameBits(dxNative!, dxWasm!), 'dx').toBe(true);
    await expectNativeMatchesWasm([x, p], f);
  });
});

describe.skipIf(reason !== undefined)('the fused optimizer step', () => {
  beforeAll(async () => {
    await selectBackend('wasm', { kernels: 'native', threads: 1 });
  });
  afterAll(async () => {
    await selectBackend('wasm', { kernels: 'wasm' });
  });

  /** Weights and slots after three updates with `make`'s optimizer on the kernels `kind`. */
  async function afterUpdates(kind: 'native' | 'wasm', make: (p: OptimizedParameter[]) => SlotOptimizer): Promise<Float32Array[]> {
    useTrainingKernels(kind);
    const rng = createRng(11);
    const host = [randomHostTensor(rng, [3, 3, 17, 33]), randomHostTensor(rng, [70])];
    const params = host.map((h, i) => ({
      parameter: { name: `p${i}`, variable: tf.variable(tf.tensor(h.values, h.shape)), decay: i === 0 },
      weightDecay: i === 0 ? 1e-4 : 0,
    }));
    const optimizer = make(params as unknown as OptimizedParameter[]);
    for (let step = 0; step < 3; step++) {
      const grads = new Map(params.map((p, i) => [p.parameter.name, tf.tensor(randomHostTensor(rng, host[i]!.shape).values, host[i]!.shape)]));
      optimizer.apply(grads, 0.05 * (step + 1), step);
      tf.dispose([...grads.values()]);
    }
    const out = [
      ...params.map((p) => p.parameter.variable.dataSync() as Float32Array),
      ...Object.values(optimizer.state()).map((t) => t.dataSync() as Float32Array),
    ];
    params.forEach((p) => p.parameter.variable.dispose());
    optimizer.dispose();
    return out;
  }

  it.each([
    ['SGD with Nesterov momentum', (p: OptimizedParameter[]) => new SgdNesterov(p, 0.9)],
    ['Adam', (p: OptimizedParameter[]) => new Adam(p)],
  ] as const)('%s: weights and slots bit-identical to the stock-op update', async (_what, make) => {
    const native = await afterUpdates('native', make);
    const wasm = await afterUpdates('wasm', make);
    native.forEach((v, i) => expect(sameBits(v, wasm[i]!), `array ${i}`).toBe(true));
  });
});
