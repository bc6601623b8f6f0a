import { describe, expect, it } from 'vitest';
import * as tf from '../helpers/tfjs.js';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels, WASM_TRAINING_KERNELS } from '../../src/backend/register-wasm-kernels.js';
import { createRng, randomInt } from '../../src/util/random.js';
import { buildTinyResNet, type TinyResNetSpec } from './kernels/tiny-resnet.js';

const SPEC: TinyResNetSpec = { inputSize: 8, inChannels: 1, widths: [4, 8, 16], strides: [1, 2, 2], classes: 5 };
const BATCH = 6;

function batch(seed: number): { x: Float32Array; labels: number[] } {
  const rng = createRng(seed);
  const x = new Float32Array(BATCH * SPEC.inputSize * SPEC.inputSize * SPEC.inChannels);
  for (let i = 0; i < x.length; i++) x[i] = rng() * 2 - 1;
  return { x, labels: Array.from({ length: BATCH }, () => randomInt(rng, SPEC.classes)) };
}

/** Losses of `steps` optimizer steps on `backend`; asserts the step leaks no tensors. */
async function trainLosses(backend: 'cpu' | 'wasm', makeOptimizer: () => tf.Optimizer, spec: TinyResNetSpec, steps: number): Promise<number[]> {
  await tf.setBackend(backend);
  const start = tf.memory().numTensors;
  const net = buildTinyResNet(spec, 42);
  const optimizer = makeOptimizer();
  const losses: number[] = [];
  let afterFirstStep = 0;
  for (let step = 0; step < steps; step++) {
    const data = batch(100 + step);
    const loss = tf.tidy(() => {
      const x = tf.tensor4d(data.x, [BATCH, spec.inputSize, spec.inputSize, spec.inChannels]);
      const labels = tf.oneHot(tf.tensor1d(data.labels, 'int32'), spec.classes) as tf.Tensor2D;
      return optimizer.minimize(() => net.loss(x, labels), true, net.variables)!;
    });
    losses.push((await loss.data())[0]!);
    loss.dispose();
    if (step === 0)
      afterFirstStep = tf.memory().numTensors; // optimizer slots now exist
    else expect(tf.memory().numTensors).toBe(afterFirstStep);
  }
  optimizer.dispose();
  net.dispose();
  // tfjs 4.22's MomentumOptimizer.dispose() forgets the learning-rate scalar its SGD base keeps.
  const tfjsMomentumLeak = optimizer.getClassName() === 'Momentum' ? 1 : 0;
  expect(tf.memory().numTensors).toBe(start + tfjsMomentumLeak);
  return losses;
}

describe('registerWasmTrainingKernels', () => {
  it('can run before the wasm backend initializes: replaced kernels still reach their stock fallbacks', async () => {
    registerWasmTrainingKernels(); // first thing in this process: wasm is not initialized yet
    await tf.setBackend('wasm');
    // a channel broadcast is handed to the stock kernel, whose wasm binding is made in its setupFunc
    const mask = tf.lessEqual(
      tf.tensor2d([
        [1, 5, 3],
        [4, 2, 6],
      ]),
      tf.tensor1d([2, 2, 6]),
    );
    expect(await mask.array()).toEqual([
      [1, 0, 1],
      [0, 1, 1],
    ]);
    mask.dispose();
  });

  it('installs every kernel for wasm and is idempotent', async () => {
    await tf.setBackend('wasm');
    registerWasmTrainingKernels();
    registerWasmTrainingKernels();
    for (const config of WASM_TRAINING_KERNELS) {
      expect(tf.getKernel(config.kernelName, 'wasm')?.kernelFunc).toBe(config.kernelFunc);
    }
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
  });
});

describe('training a tiny ResNet-like net on wasm', () => {
  it('SGD with momentum gives the losses it gives on cpu and leaks no tensors', async () => {
    registerWasmTrainingKernels();
    const sgd = () => tf.train.momentum(0.1, 0.9);
    const wasm = await trainLosses('wasm', sgd, SPEC, 4);
    const cpu = await trainLosses('cpu', sgd, SPEC, 4);
    expect(wasm[3]).not.toBe(wasm[0]); // it is really training
    for (let i = 0; i < cpu.length; i++) expect(Math.abs(wasm[i]! - cpu[i]!)).toBeLessThan(1e-3);
  });

  it('Adam gives the losses it gives on cpu and leaks no tensors', async () => {
    registerWasmTrainingKernels();
    const adam = () => tf.train.adam(0.01);
    const wasm = await trainLosses('wasm', adam, SPEC, 3);
    const cpu = await trainLosses('cpu', adam, SPEC, 3);
    for (let i = 0; i < cpu.length; i++) expect(Math.abs(wasm[i]! - cpu[i]!)).toBeLessThan(1e-3);
  });

  it('a binary variant (STE sign, clip, round, abs, mean) trains on wasm like on cpu', async () => {
    registerWasmTrainingKernels();
    const spec = { ...SPEC, binary: true };
    const sgd = () => tf.train.momentum(0.05, 0.9);
    const wasm = await trainLosses('wasm', sgd, spec, 3);
    const cpu = await trainLosses('cpu', sgd, spec, 3);
    for (let i = 0; i < cpu.length; i++) expect(Math.abs(wasm[i]! - cpu[i]!)).toBeLessThan(1e-3);
  });
});
