/**
 * The machine's speed of the moment, for latency measurements on a shared host. A VM's core runs
 * faster or slower from minute to minute (1.6× between the spells measured here: neighbours on the
 * physical host), so a latency table timed in a slow spell predicts models timed in a fast one tens
 * of percent high, and entries timed minutes apart do not add up. Every latency measurement is
 * therefore taken beside this probe, timed on the same engine and clock, and read in units of it
 * (latency-table.ts).
 *
 * A spell slows kinds of work unequally (a 1-bit conv probe read one spell as 1.55× where whole
 * models slowed 1.35×), so the probe has one workload per kind of entry, and an entry is read in units
 * of its own kind's probe.
 */
import type { BinaryEngine } from './engine.js';
import { isConvEntry, type ConvEntry, type LatencyEntry } from './latency-entry.js';
import { entryWorkload } from './latency-workload.js';
import { timeMedian, type TimingClock } from './timing.js';

export const PROBE_KINDS = ['binaryConv', 'bitPlaneConv', 'floatConv', 'elementwise'] as const;
export type ProbeKind = (typeof PROBE_KINDS)[number];

/** Seconds the probe's work of one kind takes now. */
export type SpeedProbe = (kind: ProbeKind) => number;

export function probeKindOf(e: LatencyEntry): ProbeKind {
  if (!isConvEntry(e)) return 'elementwise';
  return e.bits === 1 ? 'binaryConv' : e.bits === 32 ? 'floatConv' : 'bitPlaneConv';
}

const conv = (h: number, c: number, bits: 1 | 2 | 4 | 32): ConvEntry => ({
  h,
  w: h,
  inChannels: c,
  outChannels: c,
  kernel: 3,
  stride: 1,
  dilation: 1,
  bits,
  bases: 1,
});

/** Each kind's work: entries of the sizes a model's stages run. */
const PROBE_WORK: Record<ProbeKind, LatencyEntry[]> = {
  binaryConv: [conv(28, 16, 1), conv(7, 64, 1)],
  bitPlaneConv: [conv(14, 32, 2), conv(7, 64, 4)],
  floatConv: [{ ...conv(28, 16, 32), inChannels: 1 }],
  elementwise: [
    { op: 'avgPool', h: 28, w: 28, c: 16, window: 2, stride: 2 },
    { op: 'batchNorm', h: 14, w: 14, c: 32 },
    { op: 'copy', h: 14, w: 14, c: 32 },
    { op: 'mix', h: 14, w: 14, c: 32, from: 2, to: 1 },
  ],
};

/** Windows of one reading, and seconds of repeats in each. */
const WINDOWS = 3;
const WINDOW_SECONDS = 0.005;

/**
 * A reading is the fastest of a few short windows' median times: a window an interruption filled
 * reads slow, while a slow spell of the host slows every window. Each kind's work is warmed up when
 * the probe is made (its first readings would time the JIT and first touches of memory).
 */
export function createSpeedProbe(engine: BinaryEngine, clock: TimingClock = 'cpu'): SpeedProbe {
  const work = Object.fromEntries(
    PROBE_KINDS.map((kind) => {
      const parts = PROBE_WORK[kind].map((e) => entryWorkload(e, engine));
      const run = () => {
        for (const part of parts) part();
      };
      timeMedian(run, { warmUpSeconds: 0.1, seconds: 0.01, clock });
      return [kind, run];
    }),
  ) as Record<ProbeKind, () => void>;
  return (kind) => {
    let fastest = Number.POSITIVE_INFINITY;
    for (let i = 0; i < WINDOWS; i++)
      fastest = Math.min(fastest, timeMedian(work[kind], { warmUpSeconds: 0.001, seconds: WINDOW_SECONDS, minRepeats: 5, clock }).medianSeconds);
    return fastest;
  };
}

/** How far a kind's probe may move between its readings before and after a timing before the host counts as having changed speed during it. */
export const STEADY_TOLERANCE = 0.05;
/** Timings a host that keeps changing speed gets; the steadiest is kept. */
const ATTEMPTS = 3;

export interface ProbedTiming<T> {
  value: T;
  /** Per kind, the mean of the readings before and after the kept timing. */
  speed: Partial<Record<ProbeKind, number>>;
  /** The largest relative change of a kind's probe across the kept timing. */
  drift: number;
}

/**
 * Time `measure` between two readings of the probe's `kinds`. The host's spells switch within
 * seconds, so a timing it changed speed during (a kind's readings more than STEADY_TOLERANCE apart)
 * is taken again, up to ATTEMPTS times, and the steadiest kept.
 */
export function timeBetweenProbes<T>(probe: SpeedProbe, kinds: readonly ProbeKind[], measure: () => T): ProbedTiming<T> {
  let best: ProbedTiming<T> | undefined;
  for (let attempt = 0; attempt < ATTEMPTS && !(best && best.drift <= STEADY_TOLERANCE); attempt++) {
    const before = kinds.map((kind) => probe(kind));
    const value = measure();
    const after = kinds.map((kind) => probe(kind));
    const drift = Math.max(...kinds.map((_, i) => Math.abs(after[i]! / before[i]! - 1)));
    if (!best || drift < best.drift) best = { value, speed: Object.fromEntries(kinds.map((kind, i) => [kind, (before[i]! + after[i]!) / 2])), drift };
  }
  return best!;
}
