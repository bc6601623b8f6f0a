/**
 * GFLOP/s of the 3×3 convolutions of reference network R (batch 64) on the wasm backend:
 * forward, dx and dW, stock tfjs-backend-wasm kernels side by side with groupnas' own.
 *
 * Not a test. Run after compiling, e.g.
 *   npx tsc -p tsconfig.json --noEmit false --outDir .bench-build && node .bench-build/bench/backend-kernels.js
 * Options: --batch N (default 64), --reps N (default 5), --cpu (also time the cpu backend's dW, slow).
 */
import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from '../src/backend/register-wasm-kernels.js';

interface Layer {
  name: string;
  size: number;
  channels: number;
}

const LAYERS: Layer[] = [
  { name: '28²×32→32', size: 28, channels: 32 },
  { name: '14²×64→64', size: 14, channels: 64 },
  { name: '7²×128→128', size: 7, channels: 128 },
];

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

/** Median wall time in ms of `reps` runs of `body` after one warm-up; `body` frees what it makes. */
function timeMs(reps: number, body: () => void): number {
  body();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const start = performance.now();
    body();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

function runAndFree(config: tf.KernelConfig, inputs: tf.NamedTensorInfoMap, attrs: object): void {
  const backend = tf.backend() as BackendWasm;
  const out = config.kernelFunc({ inputs, backend, attrs: attrs as tf.NamedAttrMap }) as tf.TensorInfo;
  backend.disposeData(out.dataId);
}

async function main(): Promise<void> {
  const batch = option('batch', 64);
  const reps = option('reps', 5);
  await tf.setBackend('wasm');
  const stockInput = tf.getKernel('Conv2DBackpropInput', 'wasm');
  registerWasmTrainingKernels();
  const oursInput = tf.getKernel('Conv2DBackpropInput', 'wasm');
  const oursFilter = tf.getKernel('Conv2DBackpropFilter', 'wasm');
  const forward = tf.getKernel('Conv2D', 'wasm');

  console.log(`# wasm backend, batch ${batch}, median of ${reps}; ${os.cpus()[0]?.model ?? 'cpu'}, node ${process.version}`);
  console.log('layer         fwd GFLOP/s  stock dx  our dx  our dW   dx speed-up  dW/fwd  dx/fwd');
  for (const layer of LAYERS) {
    const { size, channels } = layer;
    const x = tf.randomNormal([batch, size, size, channels], 0, 1, 'float32', 1);
    const filter = tf.randomNormal([3, 3, channels, channels], 0, 0.1, 'float32', 2);
    const dy = tf.randomNormal([batch, size, size, channels], 0, 1, 'float32', 3);
    const gflop = (2 * batch * size * size * 9 * channels * channels) / 1e9;
    const convAttrs = { strides: 1, dilations: 1, pad: 'same', dataFormat: 'NHWC' };
    const dxAttrs = { strides: 1, pad: 'same', dataFormat: 'NHWC', inputShape: x.shape };
    const dwAttrs = { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: filter.shape };

    const fwdMs = timeMs(reps, () => runAndFree(forward, { x, filter }, convAttrs));
    const stockDxMs = timeMs(Math.min(reps, 2), () => runAndFree(stockInput, { dy, filter }, dxAttrs));
    const dxMs = timeMs(reps, () => runAndFree(oursInput, { dy, filter }, dxAttrs));
    const dwMs = timeMs(reps, () => runAndFree(oursFilter, { x, dy }, dwAttrs));
    const rate = (ms: number): string => (gflop / (ms / 1000)).toFixed(1).padStart(7);
    console.log(
      `${layer.name.padEnd(12)} ${rate(fwdMs)}     ${rate(stockDxMs)}  ${rate(dxMs)} ${rate(dwMs)}   ` +
        `${(stockDxMs / dxMs).toFixed(1).padStart(8)}×   ${(fwdMs / dwMs).toFixed(2)}    ${(fwdMs / dxMs).toFixed(2)}`,
    );
    tf.dispose([x, filter, dy]);
  }

  if (process.argv.includes('--cpu')) {
    await tf.setBackend('cpu');
    console.log('# cpu backend dW (stock), for reference');
    for (const layer of LAYERS) {
      const { size, channels } = layer;
      const gflop = (2 * batch * size * size * 9 * channels * channels) / 1e9;
      const x = tf.randomNormal([batch, size, size, channels]);
      const dy = tf.randomNormal([batch, size, size, channels]);
      const attrs = { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, channels, channels] };
      const ms = timeMs(1, () => tf.dispose(tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, attrs)));
      console.log(`${layer.name.padEnd(12)} dW ${(gflop / (ms / 1000)).toFixed(2)} GFLOP/s`);
      tf.dispose([x, dy]);
    }
  }
}

await main();
