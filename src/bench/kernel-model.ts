/**
 * Whole-model inference: Group-Net R (K=5) through the packed engine at batch 1 and
 * 64, against PyTorch inference of R's full-precision twin (and of Group-Net in float
 * simulation) on one thread, measured in the same run.
 */
import { measurePackedLatency, type BinaryEngine, type EngineName, type PackedLatency } from '../kernels/index.js';
import type { Arch } from '../space/arch.js';
import { buildPreset } from '../space/presets.js';
import { peerTorchVersion, runPeerScript } from '../util/peer.js';
import { untrainedPackedModel } from '../train/index.js';
import { peerScript } from './peer-scripts.js';

const TORCH_INFER = peerScript('torch_infer.py');

export interface TorchInference {
  model: 'fp' | 'groupnet-k5';
  batch: number;
  imagesPerSec: number;
  ms: number;
  torch: string;
  threads: number;
}

export interface ModelBenchResult {
  model: string;
  engine: EngineName;
  latency: PackedLatency[];
  /** PyTorch on one thread, same run; `unavailable` says why not. */
  torch: { fpTwin: TorchInference; groupNetFloat: TorchInference } | { unavailable: string };
  /** packed Group-Net images/s ÷ PyTorch FP twin images/s, batch 1. */
  ratioVsTorchFpTwin?: number;
}

export interface ModelBenchOptions {
  /** Default `groupnet-k5` on R (width 1). */
  preset?: string;
  widthMultiplier?: number;
  /** Seconds of timing per measurement. */
  seconds?: number;
  torch?: boolean;
}

export function benchWholeModel(engine: BinaryEngine, options: ModelBenchOptions = {}): ModelBenchResult {
  const preset = options.preset ?? 'groupnet-k5';
  const widthMultiplier = options.widthMultiplier ?? 1;
  const seconds = options.seconds ?? 2;
  const arch = buildPreset(preset, { widthMultiplier });
  const packed = untrainedPackedModel(arch, engine);
  const latency = [1, 64].map((batch) => measurePackedLatency(packed, batch, { seconds }));
  let torch: ModelBenchResult['torch'];
  const version = options.torch === false ? null : peerTorchVersion();
  if (options.torch === false) torch = { unavailable: 'skipped (--no-torch)' };
  else if (version === null) torch = { unavailable: 'PyTorch is not installed for the peer Python (apt-get install python3-torch)' };
  else {
    const run = (model: TorchInference['model']) =>
      runPeerScript<TorchInference>(TORCH_INFER, ['--model', model, '--batch', '1', '--width-mult', String(widthMultiplier), '--seconds', String(seconds)]);
    torch = { fpTwin: run('fp'), groupNetFloat: run('groupnet-k5') };
  }
  const batch1 = latency[0]!;
  return {
    model: arch.name ?? preset,
    engine: engine.name,
    latency,
    torch,
    ...('fpTwin' in torch ? { ratioVsTorchFpTwin: batch1.imagesPerSecond / torch.fpTwin.imagesPerSec } : {}),
  };
}
