/**
 * Whole-model inference (issue 6): Group-Net R (K=5) through the packed engine at batch 1
 * and 64, its latency predicted from the latency table beside the measured one, and the
 * PyTorch full-precision twin (and Group-Net in float simulation) on one thread in the same run.
 *
 * Not a test. `runModelBench()` returns the numbers; run directly (after compiling) it
 * prints them, or JSON with --json.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { predictArchLatency } from '../src/kernels/arch-latency.js';
import type { EngineName } from '../src/kernels/engine.js';
import { createEngine } from '../src/kernels/engines.js';
import { measureLatencyTable } from '../src/kernels/latency-table.js';
import { latencyEntriesOf } from '../src/kernels/arch-latency.js';
import { packStateDict, type ArrayTensor } from '../src/kernels/pack-state-dict.js';
import { measurePackedLatency, type PackedLatency } from '../src/kernels/packed-inference.js';
import { PackedModel } from '../src/kernels/packed-model.js';
import { buildModel } from '../src/nn/group-net.js';
import { buildPreset } from '../src/space/presets.js';
import { describeMachine, type MachineDescription } from '../src/util/machine.js';
import { peerTorchVersion, runPeerScript } from '../src/util/peer.js';

export interface ModelBenchOptions {
  preset?: string;
  widthMultiplier?: number;
  engine?: EngineName;
  /** Latency table cache (default: the user cache dir); null = measure afresh, keep nothing. */
  cacheDir?: string | null;
  seconds?: number;
}

interface PeerResult {
  model: string;
  batch: number;
  imagesPerSec: number;
  ms: number;
  torch: string;
  threads: number;
}

export interface ModelBenchReport {
  machine: MachineDescription;
  model: string;
  engine: EngineName;
  batch1: PackedLatency;
  batch64: PackedLatency;
  /** Σ latency-table entries of the model's convs (batch 1). */
  predictedSeconds: number;
  /** (predicted − measured) / measured at batch 1. */
  predictionError: number;
  torch: { fpTwin: PeerResult; groupNet: PeerResult } | { unavailable: string };
}

const PEER = join(dirname(fileURLToPath(import.meta.url)), '..', 'bench', 'peers', 'torch_infer.py');

export async function runModelBench(options: ModelBenchOptions = {}): Promise<ModelBenchReport> {
  const preset = options.preset ?? 'groupnet-k5';
  const widthMultiplier = options.widthMultiplier ?? 1;
  const seconds = options.seconds ?? 2;
  await tf.setBackend('cpu');
  const arch = buildPreset(preset, { widthMultiplier });
  // Weights as nn initializes them: the latency does not depend on their values.
  const model = buildModel(arch, { seed: 0 });
  const state: Record<string, ArrayTensor> = {};
  for (const p of model.params.list()) state[p.name] = { shape: p.variable.shape, data: p.variable.dataSync() as Float32Array };
  model.dispose();
  const engine = createEngine(options.engine ?? 'wasm');
  const packed = new PackedModel(packStateDict(arch, state), engine);
  const batch1 = measurePackedLatency(packed, 1, { seconds });
  const batch64 = measurePackedLatency(packed, 64, { seconds });
  const table = measureLatencyTable(latencyEntriesOf(arch), engine, { cacheDir: options.cacheDir, seconds: 0.3, warmUpSeconds: 0.1 });
  const predictedSeconds = predictArchLatency(table, arch);
  let torch: ModelBenchReport['torch'];
  const version = peerTorchVersion();
  if (version === null) {
    torch = { unavailable: 'PyTorch is not installed for the peer Python (apt-get install python3-torch)' };
  } else {
    const args = (m: string) => ['--model', m, '--batch', '1', '--width-mult', String(widthMultiplier), '--seconds', String(seconds)];
    torch = { fpTwin: runPeerScript<PeerResult>(PEER, args('fp')), groupNet: runPeerScript<PeerResult>(PEER, args('groupnet-k5')) };
  }
  return {
    machine: describeMachine(),
    model: arch.name ?? preset,
    engine: engine.name,
    batch1,
    batch64,
    predictedSeconds,
    predictionError: (predictedSeconds - batch1.medianSeconds) / batch1.medianSeconds,
    torch,
  };
}

export function formatModelBench(r: ModelBenchReport): string {
  const m = r.machine;
  const lines = [
    `machine: ${m.cpu}, ${m.cores} cores, simd [${m.simd.join(' ')}], node ${m.node}; one thread`,
    `model: ${r.model}, packed engine on ${r.engine}`,
    `  batch 1:  ${(r.batch1.medianSeconds * 1e3).toFixed(2)} ms, ${r.batch1.imagesPerSecond.toFixed(1)} images/s`,
    `  batch 64: ${(r.batch64.medianSeconds * 1e3).toFixed(1)} ms, ${r.batch64.imagesPerSecond.toFixed(1)} images/s`,
    `  latency table predicts ${(r.predictedSeconds * 1e3).toFixed(2)} ms at batch 1 (${(r.predictionError * 100).toFixed(0)}% vs measured)`,
  ];
  if ('unavailable' in r.torch) {
    lines.push(`PyTorch peer: ${r.torch.unavailable}`);
  } else {
    const { fpTwin, groupNet } = r.torch;
    lines.push(`PyTorch ${fpTwin.torch}, ${fpTwin.threads} thread, batch 1:`);
    lines.push(`  full-precision twin: ${fpTwin.imagesPerSec.toFixed(1)} images/s → packed Group-Net is ${(r.batch1.imagesPerSecond / fpTwin.imagesPerSec).toFixed(2)}× its speed`);
    lines.push(`  Group-Net K=5 (float simulation): ${groupNet.imagesPerSec.toFixed(1)} images/s → packed is ${(r.batch1.imagesPerSecond / groupNet.imagesPerSec).toFixed(1)}× faster`);
  }
  return lines.join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const json = process.argv.includes('--json');
  const report = await runModelBench({});
  console.log(json ? JSON.stringify(report, null, 2) : formatModelBench(report));
}
