/**
 * `groupnas bench kernels`, latency-table part: measure (or read from the per-machine cache)
 * every entry the search space can need — all the work (convs and what runs between them) of the
 * presets groupnet-k1/k3/k5 on R, and of R/2 with K = 1..5 bases, activation bits 1/2/4 and stage
 * widths {0.5, 0.75, 1} × R/2's, with every connection between any two K — then run whole models
 * and print the table's predicted latency beside the measured one, so the table's error is
 * visible. Shapes come from src/space (`summarize`, via latencyEntriesOf).
 */
import {
  blockOutputShapes,
  connectionEntry,
  defaultCacheDir,
  latencyCachePath,
  latencyEntriesOf,
  latencyKey,
  measureLatencyTable,
  measurePackedLatency,
  predictArchLatency,
  type BinaryEngine,
  type EngineName,
  type LatencyEntry,
  type EntryTimingOptions,
} from '../kernels/index.js';
import type { ActivationBits, Arch } from '../space/arch.js';
import { scaleWidth } from '../space/backbone.js';
import { buildPreset } from '../space/presets.js';
import { machineFingerprint } from '../util/machine.js';
import { untrainedPackedModel } from '../train/index.js';

export const SEARCH_BITS: readonly ActivationBits[] = [1, 2, 4];
export const SEARCH_WIDTH_RATIOS: readonly number[] = [0.5, 0.75, 1];
export const SEARCH_MAX_BASES = 5;

/** `arch` with every group at `bits` and `bases`, and stage widths scaled by `ratios` (one per stage). */
export function variantOf(arch: Arch, bits: ActivationBits, bases: number, ratios: readonly number[]): Arch {
  return {
    ...arch,
    bits: arch.groups.map(() => bits),
    bases: arch.groups.map(() => bases),
    widths: arch.widths.map((w, s) => scaleWidth(w, ratios[s]!)),
  };
}

/** Every combination of one ratio per stage. */
function widthCombinations(stages: number, ratios: readonly number[]): number[][] {
  let combos: number[][] = [[]];
  for (let s = 0; s < stages; s++) combos = combos.flatMap((c) => ratios.map((r) => [...c, r]));
  return combos;
}

/**
 * The distinct latency entries of the search space. A block's work depends only on its own
 * group's bits and bases and its in/out widths, so uniform variants over all (bits, K, widths)
 * cover every mixed architecture too; a connection depends on the two groups' K and the width,
 * so every (kind, K → K′) is added after every block.
 */
export function searchSpaceLatencyEntries(): LatencyEntry[] {
  const archs: Arch[] = ['groupnet-k1', 'groupnet-k3', 'groupnet-k5'].map((p) => buildPreset(p));
  const half = buildPreset('groupnet-k5', { widthMultiplier: 0.5 });
  const entries = new Map<string, LatencyEntry>();
  const add = (e: LatencyEntry | undefined) => e && entries.set(latencyKey(e), e);
  for (const ratios of widthCombinations(half.widths.length, SEARCH_WIDTH_RATIOS)) {
    for (const bits of SEARCH_BITS) {
      for (let k = 1; k <= SEARCH_MAX_BASES; k++) archs.push(variantOf(half, bits, k, ratios));
    }
    for (const shape of blockOutputShapes(variantOf(half, 1, 1, ratios)).slice(0, -1)) {
      for (let from = 1; from <= SEARCH_MAX_BASES; from++) {
        for (let to = 1; to <= SEARCH_MAX_BASES; to++) for (const kind of ['aggregate', 'soft'] as const) add(connectionEntry(kind, from, to, shape));
      }
    }
  }
  for (const arch of archs) for (const e of latencyEntriesOf(arch)) add(e);
  return [...entries.values()];
}

/** Whole models whose measured batch-1 latency is compared with the table's prediction. */
export function predictionModels(): Arch[] {
  return [
    buildPreset('groupnet-k1'),
    buildPreset('groupnet-k3'),
    buildPreset('groupnet-k5'),
    buildPreset('groupnet-k5', { widthMultiplier: 0.5 }),
    buildPreset('groupnet-k5-a2', { widthMultiplier: 0.5 }),
    buildPreset('groupnet-k5-a4', { widthMultiplier: 0.5 }),
    { ...variantOf(buildPreset('groupnet-k3', { widthMultiplier: 0.5 }), 2, 3, [1, 0.75, 0.5]), name: 'groupnet-k3-a2/resnet-r@0.5 widths ×1/0.75/0.5' },
  ];
}

export interface PredictionCheck {
  model: string;
  predictedSeconds: number;
  measuredSeconds: number;
  /** (predicted − measured) / measured. */
  error: number;
}

export interface LatencyTableReport {
  engine: EngineName;
  fingerprint: string;
  cacheFile: string | null;
  entries: number;
  /** Entries measured in this run (the rest came from the cache). */
  measured: number;
  /** Seconds spent measuring entries. */
  seconds: number;
  predictions: PredictionCheck[];
}

export interface LatencyTableBenchOptions {
  /** Cache directory (default: the kernels' per-machine cache the search reads); null = no cache. */
  cacheDir?: string | null;
  remeasure?: boolean;
  /** Timing of each entry (default: 0.05 s warm-up, 0.1 s of repeats, at least 5). */
  entryTiming?: EntryTimingOptions;
  /** Timing of each whole model (default 1 s). */
  modelSeconds?: number;
  entries?: readonly LatencyEntry[];
  models?: readonly Arch[];
  onEntry?: (done: number, total: number, key: string) => void;
  onModel?: (done: number, total: number, name: string) => void;
}

/** Fill the table for `engine` (cached per machine) and check its predictions on whole models (needs a tfjs backend to build them). */
export function benchLatencyTable(engine: BinaryEngine, options: LatencyTableBenchOptions = {}): LatencyTableReport {
  const entries = options.entries ?? searchSpaceLatencyEntries();
  const cacheDir = options.cacheDir === undefined ? defaultCacheDir() : options.cacheDir;
  const started = performance.now();
  const table = measureLatencyTable(entries, engine, {
    cacheDir,
    remeasure: options.remeasure,
    warmUpSeconds: 0.05,
    seconds: 0.05,
    minRepeats: 5,
    ...options.entryTiming,
    ...(options.onEntry ? { onProgress: options.onEntry } : {}),
  });
  const seconds = (performance.now() - started) / 1000;
  const models = options.models ?? predictionModels();
  const predictions = models.map((arch, i) => {
    const measuredSeconds = measurePackedLatency(untrainedPackedModel(arch, engine), 1, { seconds: options.modelSeconds ?? 1 }).medianSeconds;
    const predictedSeconds = predictArchLatency(table, arch);
    options.onModel?.(i + 1, models.length, arch.name ?? 'arch');
    return { model: arch.name ?? 'arch', predictedSeconds, measuredSeconds, error: (predictedSeconds - measuredSeconds) / measuredSeconds };
  });
  return {
    engine: engine.name,
    fingerprint: table.fingerprint,
    cacheFile: cacheDir === null ? null : latencyCachePath(cacheDir, machineFingerprint(table.machine)),
    entries: table.measurements.size,
    measured: table.timedNow,
    seconds,
    predictions,
  };
}
