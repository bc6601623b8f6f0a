/**
 * `groupnas bench native`: the native engine measured side by side in one run, one thread, batch 1:
 * - the XOR+popcount roofline of each dispatch path on this CPU;
 * - per layer (the four ResNet-18 stage convs, 3×3, and R's binary convs): native binary MAC/s
 *   (conv + per-channel transform to float32, through the engine API, allocation included),
 *   the fused-sign variant, the fraction of the 800 G binary MAC/s AVX-512 figure of DESIGN §5
 *   and of the measured roofline, against the same layer as an fp32 conv in tfjs-backend-wasm
 *   (XNNPACK) and in PyTorch (one thread);
 * - 28²×128 on every dispatch path;
 * - whole Group-Net R (K=5) through PackedModel on native against PyTorch's FP twin (one thread),
 *   via kernel-model.ts, with the latency table's prediction beside the measured latency.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selectBackend } from '../backend/select.js';
import { exportUntrainedModel } from '../train/index.js';
import { benchWholeModel, type ModelBenchResult } from './kernel-model.js';
import { PackedModelPool } from '../kernels/packed-model-pool.js';
import type { Arch } from '../space/arch.js';
import { latencyEntriesOf, predictArchLatency } from '../kernels/arch-latency.js';
import { measureLatencyTable } from '../kernels/latency-table.js';
import type { NativePath } from '../util/native-addon.js';
import { NativeEngine } from '../kernels/native-engine.js';
import { WasmEngine } from '../kernels/wasm-engine.js';
import { buildPreset } from '../space/presets.js';
import { describeMachine, type MachineDescription } from '../util/machine.js';
import { PEER_PYTHON, peerTorchVersion } from '../util/peer.js';
import { defaultBenchLayers, layerOperands, medianSeconds, timeFp32Conv, type BenchLayer } from './kernel-layers.js';

/** The four ResNet-18 stage convs and the binary convs of R and R/2. */
const BENCH_LAYERS: readonly BenchLayer[] = defaultBenchLayers();

/** DESIGN §5's AVX-512 XOR+popcount figure for one core (this CPU's measured roofline is reported beside it). */
export const AVX512_REFERENCE_MACS = 800e9;

export interface NativeLayerResult {
  layer: BenchLayer;
  binaryMacs: number;
  path: NativePath;
  /** conv + transform into a preallocated float32 output (accumulate mode): the kernel itself. */
  kernelSeconds: number;
  /** binary MACs / kernelSeconds. */
  nativeMacsPerSecond: number;
  /** The same through the engine API, which allocates a fresh output array per call. */
  nativeSeconds: number;
  signSeconds: number;
  /** Same layer on the wasm engine, for context. */
  wasmSeconds: number;
  xnnpackSeconds: number;
  torchSeconds: number | null;
  /** native MAC/s / 800 G. */
  fractionOfReference: number;
  /** native MAC/s / measured roofline of the path. */
  fractionOfRoofline: number;
  /** xnnpack / native API time (allocation included on both sides). */
  speedupVsXnnpack: number;
  /** torch / native API time. */
  speedupVsTorch: number | null;
}

export interface NativeBenchReport {
  machine: MachineDescription;
  paths: NativePath[];
  /** Binary MAC/s of each path's XOR+popcount loop over an L1-resident buffer. */
  rooflines: Partial<Record<NativePath, number>>;
  torch: string | null;
  layers: NativeLayerResult[];
  /** 28²×128 on every path this CPU runs. */
  perPath: { path: NativePath; seconds: number; macsPerSecond: number }[];
  /** The ResNet-18 stage shapes with one and with two threads (kernel time), measured back to back. */
  twoThreads: { layer: BenchLayer; oneSeconds: number; twoSeconds: number }[];
  model: NativeModelReport | { skipped: string };
}

/** Whole Group-Net R (K=5) on the native engine, with the latency table's prediction for batch 1. */
export interface NativeModelReport extends ModelBenchResult {
  /** Σ latency-table entries of the model's convs (batch 1). */
  predictedSeconds: number;
  /** (predicted − measured) / measured at batch 1. */
  predictionError: number;
  /** Batch 64 through a PackedModelPool of one and of two threads. */
  batchThreads: BatchThreadsReport;
}

export interface BatchThreadsReport {
  batch: number;
  /** Images/s per round, one thread then two, rounds alternating. */
  oneThread: number[];
  twoThreads: number[];
  /** Median of the per-round ratios two / one. */
  ratio: number;
}

/**
 * Batch 64 of `arch` through a pool of 1 and of 2 threads (packed-model-pool.ts), in alternating
 * rounds. The host under this VM changes speed by up to 1.5× within a minute, so the ratio is taken
 * per pair of adjacent rounds, over many short pairs, and their median reported.
 */
async function benchBatchThreads(arch: Arch, seconds: number, rounds = 7): Promise<BatchThreadsReport> {
  const dir = mkdtempSync(join(tmpdir(), 'groupnas-pool-'));
  const file = join(dir, 'model.gnb');
  const pools: PackedModelPool[] = [];
  try {
    exportUntrainedModel(arch, file);
    pools.push(await PackedModelPool.open(file, { threads: 1, engine: 'native' }), await PackedModelPool.open(file, { threads: 2, engine: 'native' }));
    const batch = 64;
    const [oneThread, twoThreads] = [[] as number[], [] as number[]];
    for (let r = 0; r < rounds; r++) {
      // warm after their first round: later rounds only re-touch caches
      const timing = { seconds: seconds / 2, warmUpSeconds: r === 0 ? 0.3 : 0.05 };
      oneThread.push((await pools[0]!.measure(batch, timing)).imagesPerSecond);
      twoThreads.push((await pools[1]!.measure(batch, timing)).imagesPerSecond);
    }
    const ratios = twoThreads.map((two, r) => two / oneThread[r]!).sort((a, b) => a - b);
    return { batch, oneThread, twoThreads, ratio: ratios[Math.floor(rounds / 2)]! };
  } finally {
    await Promise.all(pools.map((p) => p.close()));
    rmSync(dir, { recursive: true, force: true });
  }
}

async function benchNativeModel(engine: NativeEngine, seconds: number): Promise<NativeModelReport> {
  await selectBackend('cpu');
  const result = benchWholeModel(engine, { seconds });
  const arch = buildPreset('groupnet-k5', { widthMultiplier: 1 });
  const table = measureLatencyTable(latencyEntriesOf(arch), engine, { cacheDir: null, seconds: 0.3, warmUpSeconds: 0.1 });
  const predictedSeconds = predictArchLatency(table, arch);
  const measured = result.latency[0]!.medianSeconds;
  const batchThreads = await benchBatchThreads(arch, seconds);
  return { ...result, predictedSeconds, predictionError: (predictedSeconds - measured) / measured, batchThreads };
}

function macsOf(layer: BenchLayer): number {
  return Math.ceil(layer.h / layer.stride) * Math.ceil(layer.w / layer.stride) * layer.cout * layer.kernel ** 2 * layer.cin;
}

/** PyTorch fp32 conv of each layer, one thread, eval + no_grad: median seconds per layer. */
const TORCH_CONV = `
import json, sys, time, torch
torch.set_num_threads(1)
layers = json.loads(sys.argv[1]); seconds = float(sys.argv[2]); out = []
for l in layers:
    conv = torch.nn.Conv2d(l['cin'], l['cout'], l['kernel'], l['stride'], padding=l['kernel'] // 2, bias=False).eval()
    x = torch.randn(1, l['cin'], l['h'], l['w'])
    with torch.no_grad():
        for _ in range(10): conv(x)
        times = []; end = time.perf_counter() + seconds
        while len(times) < 5 or time.perf_counter() < end:
            t0 = time.perf_counter(); conv(x); times.append(time.perf_counter() - t0)
    times.sort(); out.append(times[len(times) // 2])
print(json.dumps({'torch': torch.__version__, 'threads': torch.get_num_threads(), 'seconds': out}))
`;

function timeTorch(layers: readonly BenchLayer[], seconds: number): number[] | null {
  if (peerTorchVersion() === null) return null;
  const r = spawnSync(PEER_PYTHON, ['-c', TORCH_CONV, JSON.stringify(layers), String(seconds)], {
    encoding: 'utf8',
    timeout: 600_000,
    env: { ...process.env, OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' },
  });
  if (r.status !== 0) throw new Error(`PyTorch conv peer failed (exit ${r.status ?? r.signal}): ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return (JSON.parse(r.stdout.trim().split('\n').pop() ?? '') as { seconds: number[] }).seconds;
}

export interface NativeBenchOptions {
  seconds?: number;
  layers?: readonly BenchLayer[];
  model?: boolean;
}

export async function runNativeBench(options: NativeBenchOptions = {}): Promise<NativeBenchReport> {
  const seconds = options.seconds ?? 0.5;
  const layers = options.layers ?? BENCH_LAYERS;
  const native = new NativeEngine();
  const paths = native.supportedPaths();
  const rooflines: Partial<Record<NativePath, number>> = {};
  for (const path of paths) rooflines[path] = new NativeEngine({ path }).measureRoofline(Math.max(seconds, 0.2));
  await selectBackend('wasm');
  const wasm = new WasmEngine();
  const torch = timeTorch(layers, seconds);
  const results: NativeLayerResult[] = layers.map((layer, i) => {
    const { spec, input, weights, transform } = layerOperands(layer, 'same');
    const binaryMacs = macsOf(layer);
    const nativeSeconds = medianSeconds(() => native.conv(input, weights, spec, transform), seconds);
    const preallocated = native.conv(input, weights, spec, transform).data;
    const kernelSeconds = medianSeconds(() => native.conv(input, weights, spec, transform, preallocated), seconds);
    const signSeconds = medianSeconds(() => native.convSign(input, weights, spec, transform), seconds);
    const wasmSeconds = medianSeconds(() => wasm.conv(input, weights, spec, transform), seconds);
    const xnnpackSeconds = timeFp32Conv(layer, seconds, 'same');
    const torchSeconds = torch ? torch[i]! : null;
    const nativeMacsPerSecond = binaryMacs / kernelSeconds;
    return {
      layer,
      binaryMacs,
      path: native.path,
      kernelSeconds,
      nativeMacsPerSecond,
      nativeSeconds,
      signSeconds,
      wasmSeconds,
      xnnpackSeconds,
      torchSeconds,
      fractionOfReference: nativeMacsPerSecond / AVX512_REFERENCE_MACS,
      fractionOfRoofline: nativeMacsPerSecond / rooflines[native.path]!,
      speedupVsXnnpack: xnnpackSeconds / nativeSeconds,
      speedupVsTorch: torchSeconds === null ? null : torchSeconds / nativeSeconds,
    };
  });
  const stage2 = layers.find((l) => l.h === 28 && l.cin === 128 && l.cout === 128) ?? BENCH_LAYERS[1]!;
  const perPath = paths.map((path) => {
    const engine = new NativeEngine({ path });
    const { spec, input, weights, transform } = layerOperands(stage2, 'same');
    const out = engine.conv(input, weights, spec, transform).data;
    const s = medianSeconds(
      () => engine.conv(input, weights, spec, transform, out),
      path === 'portable' || path === 'popcnt' ? Math.min(seconds, 0.3) : seconds,
    );
    return { path, seconds: s, macsPerSecond: macsOf(stage2) / s };
  });
  const two = new NativeEngine({ threads: 2 });
  const one = new NativeEngine({ threads: 1 });
  const twoThreads = BENCH_LAYERS.slice(0, 4).map((layer) => {
    const { spec, input, weights, transform } = layerOperands(layer, 'same');
    const out = one.conv(input, weights, spec, transform).data;
    return {
      layer,
      oneSeconds: medianSeconds(() => one.conv(input, weights, spec, transform, out), seconds),
      twoSeconds: medianSeconds(() => two.conv(input, weights, spec, transform, out), seconds),
    };
  });
  const model = options.model === false ? { skipped: '--no-model' } : await benchNativeModel(native, Math.max(seconds * 2, 1));
  return { machine: describeMachine(), paths, rooflines, torch: peerTorchVersion(), layers: results, perPath, twoThreads, model };
}

const g = (macs: number) => `${(macs / 1e9).toFixed(0)} G`;
const ms = (s: number) => (s * 1e3).toFixed(3);

export function formatNativeBench(r: NativeBenchReport): string {
  const m = r.machine;
  const lines = [
    `machine: ${m.cpu}, ${m.cores} cores, simd [${m.simd.join(' ')}], node ${m.node}; one thread, batch 1`,
    `native paths: ${r.paths.join(', ')}; rooflines (XOR+popcount, L1): ${r.paths.map((p) => `${p} ${g(r.rooflines[p]!)}`).join(', ')} binary MAC/s`,
    `fp32 peers: tfjs wasm backend (XNNPACK) conv2d; PyTorch ${r.torch ?? 'not installed'} Conv2d (1 thread)`,
    '',
    'kernel ms: conv + per-channel transform into a preallocated float32 output (bMAC/s and the fractions use it);',
    'api ms: the same through the engine API, a fresh output array per call (the speed-ups use it); sign ms: fused sign (packed output)',
    [
      'layer'.padEnd(31),
      'path',
      'kernel ms',
      'bMAC/s',
      'of 800G',
      'of roof',
      'api ms',
      'sign ms',
      'wasm ms',
      'xnnpack ms',
      'torch ms',
      '×xnnpack',
      '×torch',
    ].join('  '),
  ];
  for (const x of r.layers) {
    lines.push(
      [
        x.layer.name.padEnd(31),
        x.path.padEnd(4),
        ms(x.kernelSeconds).padStart(9),
        g(x.nativeMacsPerSecond).padStart(6),
        `${(x.fractionOfReference * 100).toFixed(0)}%`.padStart(7),
        `${(x.fractionOfRoofline * 100).toFixed(0)}%`.padStart(7),
        ms(x.nativeSeconds).padStart(6),
        ms(x.signSeconds).padStart(7),
        ms(x.wasmSeconds).padStart(7),
        ms(x.xnnpackSeconds).padStart(10),
        (x.torchSeconds === null ? '—' : ms(x.torchSeconds)).padStart(8),
        `${x.speedupVsXnnpack.toFixed(1)}×`.padStart(8),
        (x.speedupVsTorch === null ? '—' : `${x.speedupVsTorch.toFixed(1)}×`).padStart(6),
      ].join('  '),
    );
  }
  lines.push('', '28²×128 on every dispatch path (forced; kernel time):');
  for (const p of r.perPath) lines.push(`  ${p.path.padEnd(8)} ${ms(p.seconds).padStart(8)} ms  ${g(p.macsPerSecond).padStart(7)} binary MAC/s`);
  lines.push('', `one vs two threads (${r.machine.cores} cores on this machine, kernel time):`);
  for (const t of r.twoThreads) {
    lines.push(
      `  ${t.layer.name.padEnd(26)} 1 thread ${ms(t.oneSeconds)} ms  2 threads ${ms(t.twoSeconds)} ms  (${(t.oneSeconds / t.twoSeconds).toFixed(2)}×)`,
    );
  }
  lines.push('');
  if ('skipped' in r.model) {
    lines.push(`whole model: skipped (${r.model.skipped})`);
  } else {
    const mb = r.model;
    lines.push(`whole model: ${mb.model} through PackedModel on ${mb.engine}`);
    const [batch1, batch64] = [mb.latency[0]!, mb.latency[1]!];
    lines.push(
      `  batch 1: ${(batch1.medianSeconds * 1e3).toFixed(2)} ms (${batch1.imagesPerSecond.toFixed(0)} images/s); batch 64: ` +
        `${batch64.imagesPerSecond.toFixed(0)} images/s`,
    );
    lines.push(`  latency table predicts ${(mb.predictedSeconds * 1e3).toFixed(2)} ms at batch 1 (${(mb.predictionError * 100).toFixed(0)}% off)`);
    const bt = mb.batchThreads;
    const perRound = (v: number[]) => v.map((x) => x.toFixed(0)).join(', ');
    lines.push(
      `  batch ${bt.batch} through a pool of 1 and 2 threads (images/s per round): ${perRound(bt.oneThread)} and ${perRound(bt.twoThreads)}; ` +
        `2 threads ${bt.ratio.toFixed(2)}× one (median of the rounds' ratios)`,
    );
    if ('unavailable' in mb.torch) {
      lines.push(`  PyTorch: ${mb.torch.unavailable}`);
    } else {
      const fp = mb.torch.fpTwin;
      lines.push(`  PyTorch ${fp.torch} FP twin, batch 1, ${fp.threads} thread: ${fp.ms.toFixed(2)} ms (${fp.imagesPerSec.toFixed(0)} images/s)`);
      lines.push(`  PyTorch Group-Net R (K=5) in float simulation: ${mb.torch.groupNetFloat.ms.toFixed(2)} ms`);
      lines.push(`  native packed / PyTorch FP twin: ${(batch1.imagesPerSecond / fp.imagesPerSec).toFixed(2)}× the images/s`);
    }
  }
  return lines.join('\n');
}
