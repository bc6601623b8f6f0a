import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/kernels/engines.js';
import type { BinaryEngine } from '../../src/kernels/engine.js';
import {
  busyEntries,
  latencyCachePath,
  latencyKey,
  lookupLatency,
  measureLatencyTable,
  predictLatency,
  QUIET_LOAD,
  tableAtSpeed,
  type LatencyEntry,
} from '../../src/kernels/latency-table.js';
import { UsageError } from '../../src/util/errors.js';
import { describeMachine, machineFingerprint } from '../../src/util/machine.js';
import { cpuSeconds } from '../../src/kernels/timing.js';
import { ensureWasmBuilt } from './ensure-wasm.js';

const base: LatencyEntry = { h: 6, w: 6, inChannels: 32, outChannels: 8, kernel: 3, stride: 1, dilation: 1, bits: 1, bases: 1 };
const work: LatencyEntry[] = [
  { op: 'batchNorm', h: 6, w: 6, c: 8 },
  { op: 'relu', h: 6, w: 6, c: 8 },
  { op: 'add', h: 6, w: 6, c: 8 },
  { op: 'copy', h: 6, w: 6, c: 8 },
  { op: 'avgPool', h: 6, w: 6, c: 8, window: 2, stride: 2 },
  { op: 'maxPool', h: 6, w: 6, c: 8, window: 3, stride: 2 },
  { op: 'mix', h: 6, w: 6, c: 8, from: 3, to: 1 },
  { op: 'mix', h: 6, w: 6, c: 8, from: 3, to: 2 },
  { op: 'head', h: 3, w: 3, c: 8, classes: 10 },
];
const entries: LatencyEntry[] = [
  base,
  { ...base, bases: 3 },
  { ...base, bases: 3, output: 'sum' },
  { ...base, bits: 2, output: 'add' },
  { ...base, bits: 4, stride: 2 },
  { ...base, bits: 32 },
  ...work,
];
/** The other cores' load the table sees while timing (fixed, so that what is re-timed does not depend on this machine's load). */
const loadOf = (share: number) => () => () => share;
/** A probe that finds the machine at one speed throughout: entries are read as timed. */
const steady = (): number => 0.001;
const fast = { warmUpSeconds: 0, seconds: 0, minRepeats: 3, rounds: 1, watchLoad: loadOf(0), probe: steady };

let dir: string;
let engine: BinaryEngine;
beforeAll(() => {
  ensureWasmBuilt();
  engine = createEngine('wasm');
  dir = mkdtempSync(join(tmpdir(), 'groupnas-lut-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('measureLatencyTable', () => {
  it('measures every entry, caches them per machine, and reads the cache back', () => {
    const measured: string[] = [];
    const table = measureLatencyTable(entries, engine, { ...fast, cacheDir: dir, onProgress: (_d, _t, key) => measured.push(key) });
    expect(measured).toEqual(entries.map(latencyKey));
    expect(table.engine).toBe('wasm');
    for (const e of entries) expect(lookupLatency(table, e)).toBeGreaterThan(0);
    expect(predictLatency(table, [base, base])).toBeCloseTo(2 * lookupLatency(table, base), 12);

    const file = JSON.parse(readFileSync(latencyCachePath(dir, machineFingerprint()), 'utf8'));
    expect(file.format).toBe('groupnas.latency');
    expect(Object.keys(file.engines.wasm).sort()).toEqual(entries.map(latencyKey).sort());

    const again: string[] = [];
    const cachedTable = measureLatencyTable(entries, engine, { ...fast, cacheDir: dir, onProgress: (_d, _t, key) => again.push(key) });
    expect(again).toEqual([]);
    expect(lookupLatency(cachedTable, base)).toBe(lookupLatency(table, base));

    const re: string[] = [];
    measureLatencyTable([base], engine, { ...fast, cacheDir: dir, remeasure: true, onProgress: (_d, _t, key) => re.push(key) });
    expect(re).toEqual([latencyKey(base)]);
  });

  it('times every entry once a round, the rounds one after another, and keeps its median: a slow spell inflates one round only', () => {
    // An engine whose binary conv also spins for 3 ms of CPU time while `slow` is set, on the clock the table
    // reads (this thread's: a spin on the process's clock ends early while V8's helper threads run).
    let slow = false;
    const spinning: BinaryEngine = Object.create(engine);
    spinning.conv = (...args) => {
      if (slow) for (const end = cpuSeconds() + 0.003; cpuSeconds() < end;);
      return engine.conv(...args);
    };
    const other: LatencyEntry = { ...base, outChannels: 16 };
    const order: string[] = [];
    // The second timing done, the next one (base's second round) runs slow.
    const table = measureLatencyTable([base, other], spinning, {
      ...fast,
      rounds: 3,
      cacheDir: null,
      onProgress: (done, total, key) => {
        order.push(key);
        expect(total).toBe(6);
        slow = done === 2;
      },
    });
    expect(order).toEqual([base, other, base, other, base, other].map(latencyKey));
    expect(lookupLatency(table, base)).toBeLessThan(0.001); // the mean would be over 1 ms
    slow = true;
    const once = measureLatencyTable([base], spinning, { ...fast, cacheDir: null, onProgress: () => {} });
    expect(lookupLatency(once, base)).toBeGreaterThan(0.003);
    expect(() => measureLatencyTable([base], engine, { ...fast, rounds: 0, cacheDir: null })).toThrow(/rounds must be an integer ≥ 1/);
  });

  it('treats a corrupted cache file as empty and rewrites it', () => {
    const path = latencyCachePath(dir, machineFingerprint());
    writeFileSync(path, '{"format": "groupnas.latency", trunc');
    const measured: string[] = [];
    measureLatencyTable([base], engine, { ...fast, cacheDir: dir, onProgress: (_d, _t, key) => measured.push(key) });
    expect(measured).toEqual([latencyKey(base)]);
    expect(JSON.parse(readFileSync(path, 'utf8')).engines.wasm[latencyKey(base)].seconds).toBeGreaterThan(0);
  });

  it('measures afresh what a cache of an older version (1: convs only; 2: timed on the wall clock; 3: load unknown; 4: convs not run as the model does; 5: k-bit inputs packed in JavaScript; 6: no speed probe) holds', () => {
    const path = latencyCachePath(dir, machineFingerprint());
    const old = JSON.parse(readFileSync(path, 'utf8'));
    for (const version of [1, 2, 3, 4, 5, 6]) {
      writeFileSync(path, JSON.stringify({ ...old, version }));
      const measured: string[] = [];
      measureLatencyTable([base], engine, { ...fast, cacheDir: dir, onProgress: (_d, _t, key) => measured.push(key) });
      expect(measured).toEqual([latencyKey(base)]);
      expect(JSON.parse(readFileSync(path, 'utf8')).version).toBe(7);
    }
  });

  it('reads every entry at the median probe of its kind: an entry timed while the host ran at half speed counts half its time', () => {
    const cacheDir = mkdtempSync(join(dir, 'probe-'));
    const [a, b, c] = [base, { ...base, outChannels: 16 }, { ...base, outChannels: 24 }];
    const bn: LatencyEntry = { op: 'batchNorm', h: 6, w: 6, c: 8 };
    const timed = (entry: LatencyEntry, seconds: number, probeSeconds: number) => [
      latencyKey(entry),
      { entry, seconds, repeats: 5, load: 0, probeSeconds, perProbe: seconds / probeSeconds },
    ];
    const file = {
      format: 'groupnas.latency',
      version: 7,
      fingerprint: machineFingerprint(),
      machine: describeMachine(),
      engines: { wasm: Object.fromEntries([timed(a, 0.001, 0.01), timed(b, 0.002, 0.01), timed(c, 0.006, 0.02), timed(bn, 0.004, 0.002)]) },
    };
    writeFileSync(latencyCachePath(cacheDir, machineFingerprint()), JSON.stringify(file));
    const table = measureLatencyTable([a, b, c, bn], engine, { ...fast, cacheDir, onProgress: () => expect.unreachable('all cached') });
    expect(table.probeSeconds).toEqual({ binaryConv: 0.01, elementwise: 0.002 });
    expect(lookupLatency(table, a)).toBeCloseTo(0.001, 15);
    expect(lookupLatency(table, b)).toBeCloseTo(0.002, 15);
    expect(lookupLatency(table, c)).toBeCloseTo(0.003, 15);
    expect(lookupLatency(table, bn)).toBeCloseTo(0.004, 15);
    expect(predictLatency(table, [a, b, c])).toBeCloseTo(0.006, 15);
    // Read at a moment the elementwise probe ran twice as slow: only the BatchNorm doubles.
    const slower = tableAtSpeed(table, { elementwise: 0.004 });
    expect(lookupLatency(slower, bn)).toBeCloseTo(0.008, 15);
    expect(lookupLatency(slower, a)).toBeCloseTo(0.001, 15);
  });

  it("divides each round's time by the probe timed beside it and keeps the median of those", () => {
    // Rounds whose probe read 4×, 1× and 2× the host's speed (the same before and after each), and whose
    // entry times are 1×, 0.5× and 1.5× their probe: the entry reads 1 probe. Neither the median time over
    // the median probe (0.003 / 0.002 = 1.5) nor any one round's time over the median probe gives that.
    const probes = [0.004, 0.004, 0.001, 0.001, 0.002, 0.002];
    const times = [0.004, 0.0005, 0.003];
    let call = 0;
    let round = 0;
    const timeWork = () => ({ medianSeconds: times[round++]!, repeats: 5 });
    const table = measureLatencyTable([base], engine, { ...fast, rounds: 3, cacheDir: null, probe: () => probes[call++]!, timeWork });
    expect([call, round]).toEqual([6, 3]);
    const m = table.measurements.get(latencyKey(base))!;
    expect(m.probeSeconds).toBe(0.002);
    expect(m.seconds).toBe(0.003);
    expect(m.perProbe).toBe(1);
    expect(table.probeSeconds).toEqual({ binaryConv: 0.002 });
    expect(lookupLatency(table, base)).toBe(0.002);
  });

  it('times again, once the machine is quiet, the entries it timed on a busy machine, and keeps the calmer time', () => {
    const cacheDir = mkdtempSync(join(dir, 'busy-'));
    const timed = (share: number, remeasure = false) => {
      const keys: string[] = [];
      const table = measureLatencyTable(entries, engine, {
        ...fast,
        watchLoad: loadOf(share),
        cacheDir,
        remeasure,
        onProgress: (_d, _t, key) => keys.push(key),
      });
      return { table, keys };
    };
    const cachedLoads = () =>
      Object.values(JSON.parse(readFileSync(latencyCachePath(cacheDir, machineFingerprint()), 'utf8')).engines.wasm).map((m) => (m as { load: number }).load);

    const busy = timed(0.9);
    expect(busy.keys).toHaveLength(entries.length);
    expect(busyEntries(busy.table)).toEqual({ count: entries.length, worstLoad: 0.9 });
    expect(cachedLoads().every((load) => load === 0.9)).toBe(true);

    // Still busy: the first entry timed again says so, and the rest keep their cached times.
    const stillBusy = timed(0.8);
    expect(stillBusy.keys).toEqual([latencyKey(entries[0]!)]);
    expect(stillBusy.table.measurements.get(latencyKey(entries[0]!))!.load).toBe(0.8);
    expect(stillBusy.table.measurements.get(latencyKey(entries[1]!))!.load).toBe(0.9);

    const quiet = timed(QUIET_LOAD / 2);
    expect(quiet.keys).toEqual(entries.map(latencyKey));
    expect(busyEntries(quiet.table).count).toBe(0);
    expect(cachedLoads().every((load) => load === QUIET_LOAD / 2)).toBe(true);
    expect(timed(0.9).keys).toEqual([]);

    // Timed again on purpose on a busy machine: this table has the fresh times, the cache keeps the quiet ones.
    const forced = timed(0.7, true);
    expect(forced.keys).toHaveLength(entries.length);
    expect(busyEntries(forced.table).count).toBe(entries.length);
    expect(cachedLoads().every((load) => load === QUIET_LOAD / 2)).toBe(true);
  });

  it('rejects impossible entries and lookups of unmeasured ones', () => {
    expect(() => measureLatencyTable([{ ...base, kernel: 0 }], engine, { ...fast, cacheDir: null })).toThrow(/kernel must be a positive integer/);
    expect(() => measureLatencyTable([{ ...base, bits: 3 as 2 }], engine, { ...fast, cacheDir: null })).toThrow(UsageError);
    expect(() => measureLatencyTable([{ ...base, output: 'into' as 'add' }], engine, { ...fast, cacheDir: null })).toThrow(/output must be one of/);
    expect(() => measureLatencyTable([{ ...base, bits: 32, output: 'add' }], engine, { ...fast, cacheDir: null })).toThrow(/writes a new map/);
    expect(() => measureLatencyTable([{ op: 'mix', h: 6, w: 6, c: 8, from: 0, to: 1 }], engine, { ...fast, cacheDir: null })).toThrow(
      /mix 6x6x8 0>1: from must be a positive integer/,
    );
    expect(() => measureLatencyTable([{ op: 'pool' as 'copy', h: 6, w: 6, c: 8 }], engine, { ...fast, cacheDir: null })).toThrow(/op must be one of/);
    const table = measureLatencyTable([base], engine, { ...fast, cacheDir: null });
    expect(() => lookupLatency(table, { ...base, h: 7 })).toThrow(/no entry 7x6 32>8 k3 s1 d1 b1 K1/);
  });
});
