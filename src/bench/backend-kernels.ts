/**
 * `groupnas bench backend-kernels`: the speed of groupnas' wasm training kernels (src/backend)
 * against tfjs-backend-wasm's stock ones, side by side in one run: GFLOP/s of forward, dx and dW
 * for the convolutions of reference network R, then milliseconds for the other kernels we
 * replaced, on R-sized tensors.
 */
import { cpus, loadavg } from 'node:os';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '../util/tfjs.js';
import { selectBackend } from '../backend/select.js';
import { stockKernel } from '../backend/kernels/stock-kernels.js';

interface ConvLayer {
  name: string;
  size: number;
  inChannels: number;
  outChannels: number;
  kernel: number;
  stride: number;
}

/** The 3×3 stride-1 convolutions of R: most of a training step's float work. */
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

export interface BackendKernelsOptions {
  /** Images per batch (default 64). */
  batch?: number;
  /** Timed runs per kernel, median taken (default 5; the slow stock dx runs at most 2). */
  reps?: number;
}

/** One convolution of R: forward, stock and our input gradient, our filter gradient (ms). */
export interface ConvKernelTiming {
  layer: string;
  /** Among R's other convolutions (stem, strided, 1×1) rather than its 3×3 stride-1 ones. */
  other: boolean;
  gflop: number;
  forwardMs: number;
  stockDxMs: number;
  dxMs: number;
  dwMs: number;
}

/** Another replaced kernel: stock and our ms (no stock time where tfjs-backend-wasm has none). */
export interface KernelTiming {
  name: string;
  stockMs?: number;
  oursMs: number;
}

export interface BackendKernelsReport {
  tfjsVersion: string;
  batch: number;
  reps: number;
  cpu: string;
  cores: number;
  node: string;
  loadAverage: number;
  convs: ConvKernelTiming[];
  kernels: KernelTiming[];
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

function timeConv(layer: ConvLayer, batch: number, reps: number, other: boolean): ConvKernelTiming {
  const { size, inChannels, outChannels, kernel: k, stride } = layer;
  const outSize = Math.ceil(size / stride);
  const x = tf.randomNormal([batch, size, size, inChannels], 0, 1, 'float32', 1);
  const filter = tf.randomNormal([k, k, inChannels, outChannels], 0, 0.1, 'float32', 2);
  const dy = tf.randomNormal([batch, outSize, outSize, outChannels], 0, 1, 'float32', 3);
  try {
    const common = { strides: stride, pad: 'same', dataFormat: 'NHWC' };
    const stockDx = stockKernel('Conv2DBackpropInput')!;
    return {
      layer: layer.name,
      other,
      gflop: (2 * batch * outSize * outSize * k * k * inChannels * outChannels) / 1e9,
      forwardMs: timeMs(reps, () => runAndFree(kernel('Conv2D'), { x, filter }, { ...common, dilations: 1 })),
      stockDxMs: timeMs(Math.min(reps, 2), () => runAndFree(stockDx, { dy, filter }, { ...common, inputShape: x.shape })),
      dxMs: timeMs(reps, () => runAndFree(kernel('Conv2DBackpropInput'), { dy, filter }, { ...common, inputShape: x.shape })),
      dwMs: timeMs(reps, () => runAndFree(kernel('Conv2DBackpropFilter'), { x, dy }, { ...common, filterShape: filter.shape })),
    };
  } finally {
    tf.dispose([x, filter, dy]);
  }
}

function timeOtherKernels(batch: number, reps: number): KernelTiming[] {
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
  try {
    return cases.map((c) => {
      const stock = stockKernel(c.kernelName);
      return {
        name: c.name,
        ...(stock !== undefined ? { stockMs: timeMs(reps, () => runAndFree(stock, c.inputs, c.attrs)) } : {}),
        oursMs: timeMs(reps, () => runAndFree(kernel(c.kernelName), c.inputs, c.attrs)),
      };
    });
  } finally {
    tf.dispose([act, channelVector, one, channelStats, channelVariance, mask, pooledGrad, rows, segmentIds]);
  }
}

/** Switches tfjs to the wasm backend (with our kernels; the stock ones stay reachable) and times both. */
export async function benchBackendKernels(options: BackendKernelsOptions = {}): Promise<BackendKernelsReport> {
  const batch = options.batch ?? 64;
  const reps = options.reps ?? 5;
  await selectBackend('wasm');
  const cpu = cpus();
  return {
    tfjsVersion: tf.version_core,
    batch,
    reps,
    cpu: cpu[0]?.model ?? 'cpu',
    cores: cpu.length,
    node: process.version,
    loadAverage: loadavg()[0]!,
    convs: [...MAIN_LAYERS.map((l) => timeConv(l, batch, reps, false)), ...OTHER_LAYERS.map((l) => timeConv(l, batch, reps, true))],
    kernels: timeOtherKernels(batch, reps),
  };
}

function pad(text: string | number, width: number): string {
  return String(text).padStart(width);
}

/** The report as the two tables. */
export function formatBackendKernels(r: BackendKernelsReport): string {
  const lines = [
    `# groupnas wasm training kernels vs tfjs-backend-wasm ${r.tfjsVersion} stock kernels`,
    `# batch ${r.batch}, median of ${r.reps} (stock dx: of 2); ${r.cpu} ×${r.cores}, node ${r.node}, load ${r.loadAverage.toFixed(1)}`,
    '# stock wasm has no dW kernel at all (training a conv net fails without ours)',
    '',
    'layer              GFLOP   fwd GFLOP/s  stock dx  our dx  our dW   dx vs stock  dx/fwd  dW/fwd',
  ];
  for (const [i, c] of r.convs.entries()) {
    if (c.other && !r.convs[i - 1]?.other) lines.push('# other convolutions of R');
    const rate = (ms: number): string => pad((c.gflop / (ms / 1000)).toFixed(1), 7);
    lines.push(
      `${c.layer.padEnd(17)} ${pad(c.gflop.toFixed(3), 6)}  ${rate(c.forwardMs)}     ${rate(c.stockDxMs)}  ${rate(c.dxMs)} ${rate(c.dwMs)}` +
        `   ${pad((c.stockDxMs / c.dxMs).toFixed(1), 9)}×   ${(c.forwardMs / c.dxMs).toFixed(2)}    ${(c.forwardMs / c.dwMs).toFixed(2)}`,
    );
  }
  lines.push(
    '',
    '# other replaced kernels on R-sized tensors (ms; stock "-" = no stock kernel)',
    'kernel                                   stock      ours   speed-up',
  );
  for (const k of r.kernels) {
    lines.push(
      `${k.name.padEnd(38)} ${pad(k.stockMs === undefined ? '-' : k.stockMs.toFixed(2), 7)}   ${pad(k.oursMs.toFixed(2), 7)}   ${
        k.stockMs === undefined ? '' : `${(k.stockMs / k.oursMs).toFixed(1)}×`
      }`,
    );
  }
  return lines.join('\n');
}
