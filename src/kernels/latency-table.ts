/**
 * The latency look-up table the search prices candidates with (DESIGN §4): the measured
 * time of each piece of work the search space's packed models can contain (latency-entry.ts:
 * convs, and the element-wise work, pooling, base connections and head between them), on this
 * machine, with one engine. Entries are measured once, in rounds (warm-up, median of repeats; the
 * median of the rounds), and cached on disk per machine fingerprint, so a second search on the
 * same machine starts at once. They are timed on the CPU clock by default, which leaves out the
 * time other processes hold our core; but not the slowdown they cause from the other cores (shared
 * caches, a VM's vCPUs sharing physical cores: 1.8–2.7× measured here). So each entry records how
 * busy the other cores were while it was timed (machine-load.ts), and an entry timed on a busy
 * machine is timed again once the machine is quiet, the calmer measurement kept. And every time is
 * taken beside a speed probe of its kind of work (speed-probe.ts): the table's entries are read at
 * one speed of the machine, the median of their probes, however fast the host ran in the minute each
 * was timed (and `tableAtSpeed` reads them at the speed of another moment).
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { writeJsonAtomic } from '../util/atomic-write.js';
import { UsageError } from '../util/errors.js';
import { watchMachineLoad } from '../util/machine-load.js';
import { describeMachine, machineFingerprint, type MachineDescription } from '../util/machine.js';
import { median } from '../util/median-time.js';
import type { BinaryEngine, EngineName } from './engine.js';
import { checkEntry, latencyKey, type LatencyEntry } from './latency-entry.js';
import { entryWorkload } from './latency-workload.js';
import { createSpeedProbe, probeKindOf, PROBE_KINDS, timeBetweenProbes, type ProbeKind, type SpeedProbe } from './speed-probe.js';
import { timeMedian, type Timing, type TimingOptions } from './timing.js';

export * from './latency-entry.js';

export interface LatencyMeasurement {
  entry: LatencyEntry;
  /** Median seconds of the whole entry (all bases), batch 1. */
  seconds: number;
  repeats: number;
  /** Share of the other cores (0–1) that other processes kept busy while it was timed. */
  load: number;
  /** Median seconds of its kind's speed probe read around it (one per round, the mean of the readings before and after). */
  probeSeconds: number;
  /** Its time in units of the probe's: the median over the rounds of its time ÷ the probe's beside it. */
  perProbe: number;
}

/** Above this share of the other cores busy, an entry was timed on a busy machine (its time may be inflated). */
export const QUIET_LOAD = 0.25;

export interface LatencyTable {
  fingerprint: string;
  engine: EngineName;
  machine: MachineDescription;
  measurements: Map<string, LatencyMeasurement>;
  /** The speed the entries are read at, per kind of work: the median of their probes (lookupLatency). */
  probeSeconds: Partial<Record<ProbeKind, number>>;
  /** How many times the sum of its entries whole models take (latency-calibration.ts); 1 when not calibrated. */
  modelFactor?: number;
}

const CACHE_FORMAT = 'groupnas.latency';
/**
 * 7: each entry read in units of its speed probe. Files of version 6 (k-bit inputs packed in native
 * code, no probe), 5 (a conv entry runs its bases as the model does: ConvOutput), 4 (load recorded),
 * 3 (CPU clock, load unknown), 2 (wall clock) and 1 (convs only) are measured afresh.
 */
const CACHE_VERSION = 7;

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
  return (
    !!v &&
    typeof v.seconds === 'number' &&
    v.seconds > 0 &&
    typeof v.repeats === 'number' &&
    typeof v.load === 'number' &&
    v.load >= 0 &&
    v.load <= 1 &&
    typeof v.probeSeconds === 'number' &&
    v.probeSeconds > 0 &&
    typeof v.perProbe === 'number' &&
    v.perProbe > 0 &&
    typeof v.entry === 'object'
  );
}

/**
 * Of an earlier and a later measurement of one entry, the one to keep: the later when both were
 * timed on a quiet machine, else the one timed on the quieter machine (the faster on a tie).
 */
function calmer(earlier: LatencyMeasurement, later: LatencyMeasurement): LatencyMeasurement {
  if (earlier.load <= QUIET_LOAD && later.load <= QUIET_LOAD) return later;
  if (earlier.load !== later.load) return earlier.load < later.load ? earlier : later;
  return earlier.seconds <= later.seconds ? earlier : later;
}

/** How each entry is timed. */
export interface EntryTimingOptions extends TimingOptions {
  /** How the machine's load is watched while an entry is timed (default: watchMachineLoad). */
  watchLoad?: () => () => number;
  /** The speed probe timed beside each entry (default: createSpeedProbe on the engine and clock). */
  probe?: SpeedProbe;
  /** How one round of an entry's work is timed (default: timeMedian). */
  timeWork?: (work: () => void, options: TimingOptions) => Timing;
}

export interface MeasureLatencyOptions extends EntryTimingOptions {
  /** Where the per-machine cache lives (default: `defaultCacheDir()`); `null` = no cache. */
  cacheDir?: string | null;
  /** Measure again even what the cache holds. */
  remeasure?: boolean;
  /** Rounds over the entries to time (default 3): each entry keeps the median of its rounds' times. */
  rounds?: number;
  /** Called after each entry timed, once per round (not for cache hits). */
  onProgress?: (done: number, total: number, key: string) => void;
}

/** A table as measureLatencyTable returns it. */
export interface MeasuredLatencyTable extends LatencyTable {
  /** Entries this call timed (the rest came from the cache). */
  timedNow: number;
}

/** An entry to time, with its cached measurement when that was timed on a busy machine. */
interface ToTime {
  entry: LatencyEntry;
  key: string;
  busyHit?: LatencyMeasurement;
}

/** An entry's times so far, one a round. */
interface Timed extends ToTime {
  seconds: number[];
  probes: number[];
  repeats: number;
  /** The busiest the other cores were in any of its rounds. */
  load: number;
}

/**
 * Measure (or read from the cache) the latency of every entry with `engine`, batch 1.
 * A cached entry timed on a busy machine is timed again, unless the first such entry timed now
 * finds the machine busy still (then the rest keep their cached times: timing them again would
 * not be calmer). New measurements are merged into the cache file atomically.
 */
export function measureLatencyTable(entries: readonly LatencyEntry[], engine: BinaryEngine, options: MeasureLatencyOptions = {}): MeasuredLatencyTable {
  const machine = describeMachine();
  const fingerprint = machineFingerprint(machine);
  const cacheDir = options.cacheDir === undefined ? defaultCacheDir() : options.cacheDir;
  const path = cacheDir === null ? undefined : latencyCachePath(cacheDir, fingerprint);
  const cached = path ? (readCache(path, fingerprint)?.engines[engine.name] ?? {}) : {};

  const measurements = new Map<string, LatencyMeasurement>();
  const todo: ToTime[] = [];
  for (const entry of entries) {
    checkEntry(entry);
    const key = latencyKey(entry);
    if (measurements.has(key) || todo.some((t) => t.key === key)) continue;
    const hit = cached[key];
    if (options.remeasure || !isMeasurement(hit)) todo.push({ entry, key });
    else if (hit.load <= QUIET_LOAD) measurements.set(key, hit);
    else todo.push({ entry, key, busyHit: hit });
  }
  const fresh: Record<string, LatencyMeasurement> = {};
  const rounds = options.rounds ?? 3;
  if (!Number.isInteger(rounds) || rounds < 1) throw new UsageError(`latency table: rounds must be an integer ≥ 1, got ${rounds}`);
  let total = todo.length * rounds;
  let done = 0;
  let probe = options.probe;
  const timeOnce = (t: Timed): void => {
    probe ??= createSpeedProbe(engine, options.clock ?? 'cpu');
    const kind = probeKindOf(t.entry);
    const load = (options.watchLoad ?? watchMachineLoad)();
    const work = entryWorkload(t.entry, engine);
    const { value: timing, speed } = timeBetweenProbes(probe, [kind], () =>
      (options.timeWork ?? timeMedian)(work, {
        warmUpSeconds: options.warmUpSeconds ?? 0.05,
        seconds: options.seconds ?? 0.05,
        minRepeats: options.minRepeats ?? 5,
        clock: options.clock ?? 'cpu',
        ...(options.minRepeatSeconds !== undefined ? { minRepeatSeconds: options.minRepeatSeconds } : {}),
      }),
    );
    t.probes.push(speed[kind]!);
    t.seconds.push(timing.medianSeconds);
    t.repeats += timing.repeats;
    t.load = Math.max(t.load, load());
    options.onProgress?.(++done, total, t.key);
  };
  // The first round decides what is timed: an entry timed busy before is timed again unless the
  // first such entry timed now finds the machine busy still.
  const timed: Timed[] = [];
  let busyNow = false;
  for (const t of todo) {
    if (t.busyHit && busyNow) {
      measurements.set(t.key, t.busyHit);
      total -= rounds;
      continue;
    }
    const entry: Timed = { ...t, seconds: [], probes: [], repeats: 0, load: 0 };
    timeOnce(entry);
    timed.push(entry);
    if (t.busyHit) busyNow = entry.load > QUIET_LOAD;
  }
  // The rounds one after another, each entry keeping its median: a slow spell of the machine (a VM's
  // neighbours) inflates one of an entry's times, not all of them.
  for (let round = 1; round < rounds; round++) for (const t of timed) timeOnce(t);
  for (const t of timed) {
    const measured: LatencyMeasurement = {
      entry: { ...t.entry },
      seconds: median(t.seconds),
      repeats: t.repeats,
      load: t.load,
      probeSeconds: median(t.probes),
      perProbe: median(t.seconds.map((seconds, round) => seconds / t.probes[round]!)),
    };
    const kept = t.busyHit ? calmer(t.busyHit, measured) : measured;
    measurements.set(t.key, kept);
    if (kept === measured) fresh[t.key] = measured;
  }
  if (path && Object.keys(fresh).length > 0) {
    // Re-read just before writing so that entries another process added meanwhile survive.
    const latest = readCache(path, fingerprint) ?? { format: CACHE_FORMAT, version: CACHE_VERSION, fingerprint, machine, engines: {} };
    const kept = { ...latest.engines[engine.name] };
    for (const [key, m] of Object.entries(fresh)) kept[key] = isMeasurement(kept[key]) ? calmer(kept[key], m) : m;
    latest.engines[engine.name] = kept;
    writeJsonAtomic(path, latest);
  }
  return { fingerprint, engine: engine.name, machine, measurements, probeSeconds: typicalProbe(measurements), timedNow: timed.length };
}

/** Per kind of work, the median probe of the measurements of that kind. */
function typicalProbe(measurements: ReadonlyMap<string, LatencyMeasurement>): Partial<Record<ProbeKind, number>> {
  const typical: Partial<Record<ProbeKind, number>> = {};
  for (const kind of PROBE_KINDS) {
    const probes = [...measurements.values()].filter((m) => probeKindOf(m.entry) === kind).map((m) => m.probeSeconds);
    if (probes.length > 0) typical[kind] = median(probes);
  }
  return typical;
}

/** The table read at the speed `probeSeconds` were timed at (a reading of the same probe, e.g. beside a model). */
export function tableAtSpeed(table: LatencyTable, probeSeconds: Partial<Record<ProbeKind, number>>): LatencyTable {
  return { ...table, probeSeconds: { ...table.probeSeconds, ...probeSeconds } };
}

/** The entries of a table timed on a busy machine, and the busiest load among them (0 when none). */
export function busyEntries(table: LatencyTable): { count: number; worstLoad: number } {
  const loads = [...table.measurements.values()].map((m) => m.load).filter((load) => load > QUIET_LOAD);
  return { count: loads.length, worstLoad: Math.max(0, ...loads) };
}

/**
 * The seconds of an entry inside a model at the table's speed: its time in probe units × the
 * table's probe × the table's model factor; throws if the table does not hold it.
 */
export function lookupLatency(table: LatencyTable, entry: LatencyEntry): number {
  const m = table.measurements.get(latencyKey(entry));
  if (!m) throw new UsageError(`latency table (${table.engine}, machine ${table.fingerprint}) has no entry ${latencyKey(entry)}; measure it first`);
  return m.perProbe * table.probeSeconds[probeKindOf(m.entry)]! * (table.modelFactor ?? 1);
}

/** Predicted latency of a model: the sum of its layers' entries. */
export function predictLatency(table: LatencyTable, entries: readonly LatencyEntry[]): number {
  return entries.reduce((sum, e) => sum + lookupLatency(table, e), 0);
}
