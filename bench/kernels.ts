/**
 * Binary conv throughput (DESIGN §5, issue 6): per layer, the wasm engine's binary MAC/s,
 * the same layer as an fp32 conv in tfjs-backend-wasm (XNNPACK) measured in the same run,
 * their ratio, and the fraction of the wasm popcount roofline. Batch 1, one thread.
 *
 * Not a test. `runKernelBench()` returns the numbers; run directly (after compiling) it
 * prints a table, or JSON with --json.
 */
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import type { ConvSpec } from '../src/kernels/conv-spec.js';
import type { BinaryEngine, EngineName } from '../src/kernels/engine.js';
import { createEngine } from '../src/kernels/engines.js';
import { foldOutputTransform } from '../src/kernels/output-transform.js';
import { packSigns } from '../src/kernels/packing.js';
import { WasmEngine } from '../src/kernels/wasm-engine.js';
import { timeMedian } from '../src/kernels/timing.js';
import { packWeights } from '../src/kernels/weights.js';
import { describeMachine, type MachineDescription } from '../src/util/machine.js';
import { createRng } from '../src/util/random.js';

export interface BenchLayer {
  name: string;
  h: number;
  w: number;
  cin: number;
  cout: number;
  kernel: number;
  stride: number;
}

/** The four ResNet-18 stage convs (3×3, stride 1) and the binary convs of the reference network R and of R/2 (DESIGN §3). */
export const BENCH_LAYERS: readonly BenchLayer[] = [
  { name: 'resnet18 stage1 56²×64', h: 56, w: 56, cin: 64, cout: 64, kernel: 3, stride: 1 },
  { name: 'resnet18 stage2 28²×128', h: 28, w: 28, cin: 128, cout: 128, kernel: 3, stride: 1 },
  { name: 'resnet18 stage3 14²×256', h: 14, w: 14, cin: 256, cout: 256, kernel: 3, stride: 1 },
  { name: 'resnet18 stage4 7²×512', h: 7, w: 7, cin: 512, cout: 512, kernel: 3, stride: 1 },
  { name: 'R stage1 28²×32', h: 28, w: 28, cin: 32, cout: 32, kernel: 3, stride: 1 },
  { name: 'R stage2 down 28²×32→64 s2', h: 28, w: 28, cin: 32, cout: 64, kernel: 3, stride: 2 },
  { name: 'R stage2 14²×64', h: 14, w: 14, cin: 64, cout: 64, kernel: 3, stride: 1 },
  { name: 'R stage3 down 14²×64→128 s2', h: 14, w: 14, cin: 64, cout: 128, kernel: 3, stride: 2 },
  { name: 'R stage3 7²×128', h: 7, w: 7, cin: 128, cout: 128, kernel: 3, stride: 1 },
  { name: 'R/2 stage1 28²×16', h: 28, w: 28, cin: 16, cout: 16, kernel: 3, stride: 1 },
  { name: 'R/2 stage2 down 28²×16→32 s2', h: 28, w: 28, cin: 16, cout: 32, kernel: 3, stride: 2 },
  { name: 'R/2 stage2 14²×32', h: 14, w: 14, cin: 32, cout: 32, kernel: 3, stride: 1 },
  { name: 'R/2 stage3 down 14²×32→64 s2', h: 14, w: 14, cin: 32, cout: 64, kernel: 3, stride: 2 },
  { name: 'R/2 stage3 7²×64', h: 7, w: 7, cin: 64, cout: 64, kernel: 3, stride: 1 },
];

export interface LayerResult {
  layer: BenchLayer;
  binaryMacs: number;
  engine: EngineName;
  /** Median seconds of one binary conv (with output transform to float32, copies in and out included). */
  binarySeconds: number;
  binaryMacsPerSecond: number;
  /** The same conv with the fused sign output (packed bits for the next binary layer). */
  signSeconds: number;
  /** Median seconds of the fp32 conv in tfjs-backend-wasm (XNNPACK), same shape. */
  fp32Seconds: number;
  /** fp32 time / binary time. */
  speedup: number;
  /** binary MAC/s / roofline. */
  rooflineFraction: number;
}

export interface KernelBenchReport {
  machine: MachineDescription;
  /** The wasm XOR+popcount loop's binary MAC/s on one core. */
  rooflineMacsPerSecond: number;
  tfjsBackend: string;
  layers: LayerResult[];
}

export interface KernelBenchOptions {
  engine?: EngineName;
  layers?: readonly BenchLayer[];
  /** Time spent timing each measurement (after warm-up). */
  secondsPerMeasurement?: number;
}

/** Median seconds per call (warm-up long enough for V8's optimized tier, then repeats for `seconds`). */
function medianSeconds(fn: () => void, seconds: number): number {
  return timeMedian(fn, { warmUpSeconds: 0.2, seconds, minRepeats: 5 }).medianSeconds;
}

function randomSigns(seed: number, length: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length }, () => (rng() < 0.5 ? -1 : 1));
}

function timeBinary(engine: BinaryEngine, layer: BenchLayer, seconds: number): { float: number; sign: number } {
  const spec: ConvSpec = { kernel: layer.kernel, stride: layer.stride, dilation: 1, padding: 'same' };
  const shape = { n: 1, h: layer.h, w: layer.w, c: layer.cin };
  const input = packSigns(randomSigns(1, layer.h * layer.w * layer.cin), shape);
  const weights = packWeights(randomSigns(2, layer.kernel ** 2 * layer.cin * layer.cout), { kernel: layer.kernel, inChannels: layer.cin, outChannels: layer.cout });
  const transform = foldOutputTransform({ channels: layer.cout, alpha: new Float32Array(layer.cout).fill(0.05) });
  return {
    float: medianSeconds(() => engine.conv(input, weights, spec, transform), seconds),
    sign: medianSeconds(() => engine.convSign(input, weights, spec, transform), seconds),
  };
}

function timeFp32(layer: BenchLayer, seconds: number): number {
  const x = tf.tensor4d(randomSigns(3, layer.h * layer.w * layer.cin), [1, layer.h, layer.w, layer.cin]);
  const w = tf.tensor4d(randomSigns(4, layer.kernel ** 2 * layer.cin * layer.cout), [layer.kernel, layer.kernel, layer.cin, layer.cout]);
  try {
    return medianSeconds(() => {
      const y = tf.conv2d(x, w, layer.stride, 'same');
      y.dataSync();
      y.dispose();
    }, seconds);
  } finally {
    x.dispose();
    w.dispose();
  }
}

export async function runKernelBench(options: KernelBenchOptions = {}): Promise<KernelBenchReport> {
  const seconds = options.secondsPerMeasurement ?? 0.5;
  const engineName = options.engine ?? 'wasm';
  const engine = createEngine(engineName);
  await tf.setBackend('wasm');
  await tf.ready();
  const roofline = new WasmEngine().measureRoofline(Math.max(seconds, 0.2));
  const layers: LayerResult[] = [];
  for (const layer of options.layers ?? BENCH_LAYERS) {
    const out = Math.ceil(layer.h / layer.stride) * Math.ceil(layer.w / layer.stride);
    const binaryMacs = out * layer.cout * layer.kernel ** 2 * layer.cin;
    const binary = timeBinary(engine, layer, seconds);
    const binarySeconds = binary.float;
    const fp32Seconds = timeFp32(layer, seconds);
    const binaryMacsPerSecond = binaryMacs / binarySeconds;
    layers.push({
      layer,
      binaryMacs,
      engine: engine.name,
      binarySeconds,
      binaryMacsPerSecond,
      signSeconds: binary.sign,
      fp32Seconds,
      speedup: fp32Seconds / binarySeconds,
      rooflineFraction: binaryMacsPerSecond / roofline,
    });
  }
  return { machine: describeMachine(), rooflineMacsPerSecond: roofline, tfjsBackend: tf.getBackend(), layers };
}

export function formatKernelBench(report: KernelBenchReport): string {
  const m = report.machine;
  const lines = [
    `machine: ${m.cpu}, ${m.cores} cores, simd [${m.simd.join(' ')}], node ${m.node}; one thread, batch 1`,
    `wasm popcount roofline: ${(report.rooflineMacsPerSecond / 1e9).toFixed(1)} G binary MAC/s`,
    `fp32 reference: tfjs ${report.tfjsBackend} backend (XNNPACK) conv2d`,
    '',
    'binary ms: conv + per-channel transform to float32; sign ms: the same with the fused sign (packed output)',
    ['layer'.padEnd(31), 'engine', 'binary ms', 'G bMAC/s', '% roofline', 'sign ms', 'fp32 ms', 'speed-up'].join('  '),
  ];
  for (const r of report.layers) {
    lines.push([
      r.layer.name.padEnd(31),
      r.engine.padEnd(6),
      (r.binarySeconds * 1e3).toFixed(3).padStart(9),
      (r.binaryMacsPerSecond / 1e9).toFixed(1).padStart(8),
      `${(r.rooflineFraction * 100).toFixed(0)}%`.padStart(10),
      (r.signSeconds * 1e3).toFixed(3).padStart(7),
      (r.fp32Seconds * 1e3).toFixed(3).padStart(7),
      `${r.speedup.toFixed(1)}×`.padStart(8),
    ].join('  '));
  }
  return lines.join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const json = process.argv.includes('--json');
  const engineArg = process.argv.indexOf('--engine');
  const engine = engineArg > 0 ? (process.argv[engineArg + 1] as EngineName) : undefined;
  const report = await runKernelBench({ engine });
  console.log(json ? JSON.stringify(report, null, 2) : formatKernelBench(report));
}
