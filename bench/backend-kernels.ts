/**
 * Speed of groupnas' wasm training kernels against tfjs-backend-wasm's stock ones, side by side in
 * one run: GFLOP/s of forward, dx and dW for the convolutions of reference network R (batch 64),
 * then milliseconds for the other kernels we replaced, on R-sized tensors.
 *
 * Not a test. Run after compiling, e.g.
 *   npx tsc -p tsconfig.json --noEmit false --outDir build/bench && node build/bench/bench/backend-kernels.js
 * Options: --batch N (default 64), --reps N (default 5).
 */
import os from 'node:os';
import '../src/util/tfjs.js';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels, WASM_TRAINING_KERNELS } from '../src/backend/register-wasm-kernels.js';

interface ConvLayer {
  name: string;
  size: number;
  inChannels: number;
  outChannels: number;
  kernel: number;
  stride: number;
}

/** The 3×3 stride-1 convolutions of R: the brief's headline numbers. */
const MAIN_LAYERS: ConvLayer[] = [
  { name: '28²×32→32', size: 28, inChannels: 32, outChannels: 32, kernel: 3, stride: 1 },
  { name: '14²×64→64', size: 14, inChannels: 64, outChannels: 64, kernel: 3, stride: 1 },
  { name: '7²×128→128', size: 7, inChannels: 128, outChannels: 128, kernel: 3, stride: 1 },
];

/** R's other convolutions: the stem, the strided 3×3s and the 1×1 shortcuts (after avg-pool). */
const OTHER_LAYERS: ConvLayer[] = [
  { name: 'stem 28²×1→32', size: 28, inChannels: 1, outChannels: 32, kernel: 3, stride: 1 },
  { name: '28²×32→64 s2', size: 28, inChannels: 32, outChannels: 64, kernel: 3, stride: 2 },
  { name: '14²×64→128 s2', size: 14, inChannels: 64, outChannels: 128, kernel: 3, stride: 2 },
  { name: '1×1 14²×32→64', size: 14, inChannels: 32, outChannels: 64, kernel: 1, stride: 1 },
  { name: '1×1 7²×64→128', size: 7, inChannels: 64, outChannels: 128, kernel: 1, stride: 1 },
];

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

/** Median wall time in ms of `reps` runs of `body` after one warm-up. */
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

/** Call a kernel directly on the wasm backend and free its output. */
function runAndFree(config: tf.KernelConfig, inputs: tf.NamedTensorInfoMap, attrs: object = {}): void {
  const backend = tf.backend() as BackendWasm;
  const out = config.kernelFunc({ inputs, backend, attrs: attrs as tf.NamedAttrMap }) as tf.TensorInfo;
  backend.disposeData(out.dataId);
}

function kernel(name: string): tf.KernelConfig {
  const config = tf.getKernel(name, 'wasm');
  if (config === undefined) throw new Error(`no wasm kernel ${name}`);
  return config;
}

function pad(text: string | number, width: number): string {
  return String(text).padStart(width);
}

async function main(): Promise<void> {
  const batch = option('batch', 64);
  const reps = option('reps', 5);
  await tf.setBackend('wasm');
  const stock = new Map<string, tf.KernelConfig | undefined>();
  for (const config of WASM_TRAINING_KERNELS) stock.set(config.kernelName, tf.getKernel(config.kernelName, 'wasm'));
  registerWasmTrainingKernels();

  console.log(`# groupnas wasm training kernels vs tfjs-backend-wasm ${tf.version_core} stock kernels`);
  console.log(
    `# batch ${batch}, median of ${reps} (stock dx: of 2); ${os.cpus()[0]?.model ?? 'cpu'} ×${os.cpus().length}, node ${process.version}, load ${os.loadavg()[0]!.toFixed(1)}`,
  );
  console.log('# stock wasm has no dW kernel at all (training a conv net fails without ours)');
  console.log('');
  console.log('layer              GFLOP   fwd GFLOP/s  stock dx  our dx  our dW   dx vs stock  dx/fwd  dW/fwd');
  for (const layer of [...MAIN_LAYERS, ...OTHER_LAYERS]) {
    if (layer === OTHER_LAYERS[0]) console.log('# other convolutions of R');
    const { size, inChannels, outChannels, kernel: k, stride } = layer;
    const outSize = Math.ceil(size / stride);
    const x = tf.randomNormal([batch, size, size, inChannels], 0, 1, 'float32', 1);
    const filter = tf.randomNormal([k, k, inChannels, outChannels], 0, 0.1, 'float32', 2);
    const dy = tf.randomNormal([batch, outSize, outSize, outChannels], 0, 1, 'float32', 3);
    const gflop = (2 * batch * outSize * outSize * k * k * inChannels * outChannels) / 1e9;
    const common = { strides: stride, pad: 'same', dataFormat: 'NHWC' };

    const fwdMs = timeMs(reps, () => runAndFree(kernel('Conv2D'), { x, filter }, { ...common, dilations: 1 }));
    const stockDxMs = timeMs(Math.min(reps, 2), () => runAndFree(stock.get('Conv2DBackpropInput')!, { dy, filter }, { ...common, inputShape: x.shape }));
    const dxMs = timeMs(reps, () => runAndFree(kernel('Conv2DBackpropInput'), { dy, filter }, { ...common, inputShape: x.shape }));
    const dwMs = timeMs(reps, () => runAndFree(kernel('Conv2DBackpropFilter'), { x, dy }, { ...common, filterShape: filter.shape }));
    const rate = (ms: number): string => pad((gflop / (ms / 1000)).toFixed(1), 7);
    console.log(
      `${layer.name.padEnd(17)} ${pad(gflop.toFixed(3), 6)}  ${rate(fwdMs)}     ${rate(stockDxMs)}  ${rate(dxMs)} ${rate(dwMs)}` +
        `   ${pad((stockDxMs / dxMs).toFixed(1), 9)}×   ${(fwdMs / dxMs).toFixed(2)}    ${(fwdMs / dwMs).toFixed(2)}`,
    );
    tf.dispose([x, filter, dy]);
  }

  console.log('');
  console.log('# other replaced kernels on R-sized tensors (ms; stock "-" = no stock kernel)');
  console.log('kernel                                   stock      ours   speed-up');
  const act = tf.randomNormal([batch, 28, 28, 32], 0, 1, 'float32', 4);
  const channelVector = tf.randomNormal([1, 1, 1, 32], 0, 1, 'float32', 5);
  const one = tf.scalar(1);
  const channelStats = tf.randomNormal([32], 0, 1, 'float32', 8);
  const channelVariance = tf.randomUniform([32], 0.5, 2, 'float32', 9);
  const mask = tf.lessEqual(act, one);
  const pooledGrad = tf.randomNormal([batch, 14, 14, 32], 0, 1, 'float32', 6);
  const rows = tf.randomNormal([batch * 28, 28 * 32], 0, 1, 'float32', 7);
  const segmentIds = tf.tensor1d(
    Array.from({ length: batch * 28 }, (_, i) => i % 32),
    'int32',
  );
  const cases: { name: string; kernelName: string; inputs: tf.NamedTensorInfoMap; attrs?: object }[] = [
    { name: 'Tile [1,1,1,32]→act (batchNorm grad)', kernelName: 'Tile', inputs: { x: channelVector }, attrs: { reps: [batch, 28, 28, 1] } },
    { name: 'Sum over [0,1,2]', kernelName: 'Sum', inputs: { x: act }, attrs: { axis: [0, 1, 2], keepDims: false } },
    { name: 'Mean over [0,1,2]', kernelName: 'Mean', inputs: { x: act }, attrs: { axis: [0, 1, 2], keepDims: false } },
    { name: 'LessEqual act ≤ 1 (STE mask)', kernelName: 'LessEqual', inputs: { a: act, b: one } },
    { name: 'Cast bool→float32 (stock kept)', kernelName: 'Cast', inputs: { x: mask }, attrs: { dtype: 'float32' } },
    { name: 'Cast float32→bool', kernelName: 'Cast', inputs: { x: act }, attrs: { dtype: 'bool' } },
    { name: 'Sign', kernelName: 'Sign', inputs: { x: act } },
    {
      name: 'FusedBatchNorm per channel',
      kernelName: 'FusedBatchNorm',
      inputs: { x: act, mean: channelStats, variance: channelVariance, offset: channelStats, scale: channelStats },
      attrs: { varianceEpsilon: 1e-5 },
    },
    { name: 'AvgPoolGrad 2×2/2', kernelName: 'AvgPoolGrad', inputs: { dy: pooledGrad, input: act }, attrs: { filterSize: 2, strides: 2, pad: 'same' } },
    { name: 'UnsortedSegmentSum (gather grad)', kernelName: 'UnsortedSegmentSum', inputs: { x: rows, segmentIds }, attrs: { numSegments: 32 } },
  ];
  for (const c of cases) {
    const stockConfig = stock.get(c.kernelName);
    const stockMs = stockConfig === undefined ? undefined : timeMs(reps, () => runAndFree(stockConfig, c.inputs, c.attrs));
    const oursMs = timeMs(reps, () => runAndFree(kernel(c.kernelName), c.inputs, c.attrs));
    console.log(
      `${c.name.padEnd(38)} ${pad(stockMs === undefined ? '-' : stockMs.toFixed(2), 7)}   ${pad(oursMs.toFixed(2), 7)}   ${
        stockMs === undefined ? '' : `${(stockMs / oursMs).toFixed(1)}×`
      }`,
    );
  }
  tf.dispose([act, channelVector, one, channelStats, channelVariance, mask, pooledGrad, rows, segmentIds]);
}

await main();
