/**
 * The latency look-up table the search prices candidates with (DESIGN §4): the measured
 * time of each piece of work the search space's packed models can contain (latency-entry.ts:
 * convs, and the element-wise work, pooling, base connections and head between them), on this
 * machine, with one engine. Entries are measured once (warm-up, median of repeats) and cached on
 * disk per machine fingerprint, so a second search on the same machine starts at once. They are
 * timed on the CPU clock by default: a table filled while other processes share the cores still
 * holds the time of the work itself.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { writeJsonAtomic } from '../util/atomic-write.js';
import { UsageError } from '../util/errors.js';
import { describeMachine, machineFingerprint, type MachineDescription } from '../util/machine.js';
import type { BinaryEngine, EngineName } from './engine.js';
import { checkEntry, latencyKey, type LatencyEntry } from './latency-entry.js';
import { entryWorkload } from './latency-workload.js';
import { timeMedian, type TimingOptions } from './timing.js';

export * from './latency-entry.js';

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
/**
 * 3: entries timed on the CPU clock (timing.ts), which other processes on a shared machine do not
 * inflate; files of version 2 (wall clock) and 1 (convs only) are measured afresh.
 */
const CACHE_VERSION = 3;

interface CacheFile {
  format: typeof CACHE_FORMAT;
  version: typeof CACHE_VERSION;
  fingerprint: string;
  machine: MachineDescription;
  /** engine name → entry key → measurement */
  engines: Partial<Record<EngineName, Record<string, LatencyMeasurement>>>;
}

/** `$GROUPNAS_CACHE_DIR`, else `$XDG_CACHE_HOME/groupnas`, else `~/.cache/groupnas`. */
export function defaultCacheDir(): string {
  return process.env.GROUPNAS_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'groupnas');
}

export function latencyCachePath(cacheDir: string, fingerprint: string): string {
  return join(cacheDir, `latency-${fingerprint}.json`);
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
  const cached = path ? (readCache(path, fingerprint)?.engines[engine.name] ?? {}) : {};

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
    const timing = timeMedian(entryWorkload(entry, engine), {
      warmUpSeconds: options.warmUpSeconds ?? 0.05,
      seconds: options.seconds ?? 0.1,
      minRepeats: options.minRepeats ?? 5,
      clock: options.clock ?? 'cpu',
      ...(options.minRepeatSeconds !== undefined ? { minRepeatSeconds: options.minRepeatSeconds } : {}),
    });
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
