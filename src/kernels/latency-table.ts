/**
 * The latency look-up table the search prices candidates with (DESIGN §4): the measured
 * time of each conv the search space can contain, on this machine, with one engine.
 * Entries are measured once (warm-up, median of repeats) and cached on disk per machine
 * fingerprint, so a second search on the same machine starts at once.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { ActivationBits } from '../space/arch.js';
import { writeJsonAtomic } from '../util/atomic-write.js';
import { UsageError } from '../util/errors.js';
import { describeMachine, machineFingerprint, type MachineDescription } from '../util/machine.js';
import { createRng } from '../util/random.js';
import type { ConvSpec } from './conv-spec.js';
import type { BinaryEngine, EngineName } from './engine.js';
import { foldOutputTransform } from './output-transform.js';
import { packBitPlanes } from './packing.js';
import { timeMedian, type TimingOptions } from './timing.js';
import { packWeights } from './weights.js';

/** One conv the search needs priced: shape, activation bits of its input, and how many bases run it. */
export interface LatencyEntry {
  h: number;
  w: number;
  inChannels: number;
  outChannels: number;
  kernel: number;
  stride: number;
  dilation: number;
  /** 1 = binary, 2/4 = bit planes, 32 = full precision (float conv). */
  bits: ActivationBits;
  /** Number of binary bases: K convs with their own weights, summed (one output transform each). */
  bases: number;
}

export interface LatencyMeasurement {
  entry: LatencyEntry;
  /** Median seconds of the whole entry (all bases), batch 1. */
  seconds: number;
  repeats: number;
}

export interface LatencyTable {
  fingerprint: string;
  engine: EngineName;
  machine: MachineDescription;
  measurements: Map<string, LatencyMeasurement>;
}

const CACHE_FORMAT = 'groupnas.latency';
const CACHE_VERSION = 1;

interface CacheFile {
  format: typeof CACHE_FORMAT;
  version: typeof CACHE_VERSION;
  fingerprint: string;
  machine: MachineDescription;
  /** engine name → entry key → measurement */
  engines: Partial<Record<EngineName, Record<string, LatencyMeasurement>>>;
}

/** Canonical key of an entry, e.g. `28x28 128>128 k3 s1 d1 b1 K5`. */
export function latencyKey(e: LatencyEntry): string {
  return `${e.h}x${e.w} ${e.inChannels}>${e.outChannels} k${e.kernel} s${e.stride} d${e.dilation} b${e.bits} K${e.bases}`;
}

/** `$GROUPNAS_CACHE_DIR`, else `$XDG_CACHE_HOME/groupnas`, else `~/.cache/groupnas`. */
export function defaultCacheDir(): string {
  return process.env.GROUPNAS_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'groupnas');
}

export function latencyCachePath(cacheDir: string, fingerprint: string): string {
  return join(cacheDir, `latency-${fingerprint}.json`);
}

function checkEntry(e: LatencyEntry): void {
  for (const key of ['h', 'w', 'inChannels', 'outChannels', 'kernel', 'stride', 'dilation', 'bases'] as const) {
    if (!Number.isInteger(e[key]) || e[key] < 1) throw new UsageError(`latency entry ${latencyKey(e)}: ${key} must be a positive integer, got ${e[key]}`);
  }
  if (![1, 2, 4, 32].includes(e.bits)) throw new UsageError(`latency entry ${latencyKey(e)}: bits must be 1, 2, 4 or 32, got ${e.bits}`);
}

/** A cache is only a cache: a missing, unreadable or foreign file reads as empty and gets rewritten. */
function readCache(path: string, fingerprint: string): CacheFile | undefined {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
  const file = data as Partial<CacheFile> | null;
  if (!file || file.format !== CACHE_FORMAT || file.version !== CACHE_VERSION || file.fingerprint !== fingerprint) return undefined;
  if (typeof file.engines !== 'object' || file.engines === null) return undefined;
  return file as CacheFile;
}

function isMeasurement(m: unknown): m is LatencyMeasurement {
  const v = m as Partial<LatencyMeasurement> | null;
  return !!v && typeof v.seconds === 'number' && v.seconds > 0 && typeof v.repeats === 'number' && typeof v.entry === 'object';
}

function randomSigns(seed: number, length: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length }, () => (rng() < 0.5 ? -1 : 1));
}

/**
 * Build the work of one entry as the packed engine runs it, and return a closure that runs
 * it once: per base, quantize/pack its own float input, conv, fold the output transform
 * and accumulate into the multi-base sum (a float conv for 32-bit entries).
 */
function entryWorkload(e: LatencyEntry, engine: BinaryEngine): () => void {
  const spec: ConvSpec = { kernel: e.kernel, stride: e.stride, dilation: e.dilation, padding: 'symmetric' };
  const shape = { n: 1, h: e.h, w: e.w, c: e.inChannels };
  const size = e.h * e.w * e.inChannels;
  const weightShape = { kernel: e.kernel, inChannels: e.inChannels, outChannels: e.outChannels };
  const weightSize = e.kernel * e.kernel * e.inChannels * e.outChannels;
  const transform = foldOutputTransform({ channels: e.outChannels });
  const bases = Array.from({ length: e.bases }, (_, k) => k);
  const inputs = bases.map((k) => randomFloats(k, size));
  if (e.bits === 32) {
    const filters = bases.map((k) => randomSigns(100 + k, weightSize));
    return () => {
      for (const k of bases) engine.floatConv(inputs[k]!, shape, filters[k]!, e.outChannels, spec);
    };
  }
  const weights = bases.map((k) => packWeights(randomSigns(100 + k, weightSize), weightShape));
  if (e.bits === 1) {
    return () => {
      let acc: Float32Array | undefined;
      for (const k of bases) acc = engine.conv(engine.packSigns(inputs[k]!, shape), weights[k]!, spec, transform, acc).data;
    };
  }
  return () => {
    let acc: Float32Array | undefined;
    for (const k of bases) acc = engine.bitPlaneConv(packBitPlanes(inputs[k]!, shape, e.bits, 2), weights[k]!, spec, transform, acc).data;
  };
}

/** Activations as a unit sees them: roughly zero-centred, some beyond the 2-bit clip range. */
function randomFloats(seed: number, length: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length }, () => 3 * rng() - 1);
}

export interface MeasureLatencyOptions extends TimingOptions {
  /** Where the per-machine cache lives (default: `defaultCacheDir()`); `null` = no cache. */
  cacheDir?: string | null;
  /** Measure again even what the cache holds. */
  remeasure?: boolean;
  /** Called after each entry measured (not for cache hits). */
  onProgress?: (done: number, total: number, key: string) => void;
}

/**
 * Measure (or read from the cache) the latency of every entry with `engine`, batch 1.
 * New measurements are merged into the cache file atomically.
 */
export function measureLatencyTable(entries: readonly LatencyEntry[], engine: BinaryEngine, options: MeasureLatencyOptions = {}): LatencyTable {
  const machine = describeMachine();
  const fingerprint = machineFingerprint(machine);
  const cacheDir = options.cacheDir === undefined ? defaultCacheDir() : options.cacheDir;
  const path = cacheDir === null ? undefined : latencyCachePath(cacheDir, fingerprint);
  const cached = path ? readCache(path, fingerprint)?.engines[engine.name] ?? {} : {};

  const measurements = new Map<string, LatencyMeasurement>();
  const todo: LatencyEntry[] = [];
  for (const entry of entries) {
    checkEntry(entry);
    const key = latencyKey(entry);
    const hit = cached[key];
    if (!options.remeasure && isMeasurement(hit)) measurements.set(key, hit);
    else if (!todo.some((t) => latencyKey(t) === key)) todo.push(entry);
  }
  const fresh: Record<string, LatencyMeasurement> = {};
  todo.forEach((entry, i) => {
    const key = latencyKey(entry);
    const timing = timeMedian(entryWorkload(entry, engine), { warmUpSeconds: options.warmUpSeconds ?? 0.05, seconds: options.seconds ?? 0.1, minRepeats: options.minRepeats ?? 5 });
    const m: LatencyMeasurement = { entry: { ...entry }, seconds: timing.medianSeconds, repeats: timing.repeats };
    measurements.set(key, m);
    fresh[key] = m;
    options.onProgress?.(i + 1, todo.length, key);
  });
  if (path && todo.length > 0) {
    // Re-read just before writing so that entries another process added meanwhile survive.
    const latest = readCache(path, fingerprint) ?? { format: CACHE_FORMAT, version: CACHE_VERSION, fingerprint, machine, engines: {} };
    latest.engines[engine.name] = { ...latest.engines[engine.name], ...fresh };
    writeJsonAtomic(path, latest);
  }
  return { fingerprint, engine: engine.name, machine, measurements };
}

/** The measured seconds of an entry; throws if the table does not hold it. */
export function lookupLatency(table: LatencyTable, entry: LatencyEntry): number {
  const m = table.measurements.get(latencyKey(entry));
  if (!m) throw new UsageError(`latency table (${table.engine}, machine ${table.fingerprint}) has no entry ${latencyKey(entry)}; measure it first`);
  return m.seconds;
}

/** Predicted latency of a model: the sum of its layers' entries. */
export function predictLatency(table: LatencyTable, entries: readonly LatencyEntry[]): number {
  return entries.reduce((sum, e) => sum + lookupLatency(table, e), 0);
}
