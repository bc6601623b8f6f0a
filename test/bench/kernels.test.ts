// The kernels benchmark's library on tiny shapes: that it measures what it says, not how fast.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { benchKernels } from '../../src/bench/kernels.js';
import { searchSpaceLatencyEntries, variantOf } from '../../src/bench/kernel-latency-table.js';
import { binaryLayersOf, defaultBenchLayers } from '../../src/bench/kernel-layers.js';
import { latencyEntriesOf, latencyKey } from '../../src/kernels/index.js';
import type { Arch } from '../../src/space/arch.js';
import { buildPreset } from '../../src/space/presets.js';
import { ensureWasmBuilt } from '../kernels/ensure-wasm.js';

let cache: string;
beforeAll(() => {
  ensureWasmBuilt();
  cache = mkdtempSync(join(tmpdir(), 'gn-bench-kernels-'));
});
afterAll(() => rmSync(cache, { recursive: true, force: true }));

const tinyArch = (): Arch => ({ ...buildPreset('groupnet-k3', { widthMultiplier: 0.25 }), input: { height: 8, width: 8, channels: 1 } });

/** The table sees a quiet machine, so that the second run's cache hits do not depend on this machine's load. */
const quietMachine = () => () => 0;

describe('search-space latency entries', () => {
  it('cover every conv of groupnet-k1/k3/k5 on R and of R/2 variants over bits, bases and stage widths, once each', () => {
    const keys = new Set(searchSpaceLatencyEntries().map(latencyKey));
    expect(keys.size).toBe(searchSpaceLatencyEntries().length);
    const half = buildPreset('groupnet-k5', { widthMultiplier: 0.5 });
    const archs = [
      buildPreset('groupnet-k1'),
      buildPreset('groupnet-k5'),
      variantOf(half, 2, 4, [0.75, 0.5, 1]),
      variantOf(half, 4, 1, [1, 1, 0.5]),
      variantOf(half, 1, 5, [0.5, 0.5, 0.5]),
    ];
    // a mixed architecture (per-group bits and bases) is priced by the same entries
    archs.push({ ...variantOf(half, 1, 3, [0.75, 1, 0.75]), bits: [1, 2, 4, 1, 2, 4], bases: [1, 2, 3, 4, 5, 1] });
    for (const arch of archs) for (const e of latencyEntriesOf(arch)) expect(keys.has(latencyKey(e)), latencyKey(e)).toBe(true);
    expect([...keys].some((k) => k.includes(' b4 K5'))).toBe(true);
    expect([...keys].some((k) => k.includes(' b32 '))).toBe(true); // stem and projection shortcuts
  });

  it('bench layers: the ResNet-18 stages, then R and R/2 binary convs from the space', () => {
    const layers = defaultBenchLayers();
    expect(layers.slice(0, 4).map((l) => [l.h, l.cin])).toEqual([
      [56, 64],
      [28, 128],
      [14, 256],
      [7, 512],
    ]);
    expect(binaryLayersOf('R', 1).map((l) => l.name)).toEqual(['R 28²×32', 'R 28²×32→64 s2', 'R 14²×64', 'R 14²×64→128 s2', 'R 7²×128']);
  });
});

describe('benchKernels', () => {
  it('measures layers against the fp32 conv, fills the table and compares predicted with measured, on tiny shapes', async () => {
    const arch = tinyArch();
    const updates: string[] = [];
    const report = await benchKernels({
      engine: 'wasm',
      parts: ['layers', 'table'],
      layers: [{ name: 'tiny', h: 6, w: 6, cin: 33, cout: 8, kernel: 3, stride: 1 }],
      layerSeconds: 0.01,
      table: {
        cacheDir: cache,
        entries: latencyEntriesOf(arch),
        models: [arch],
        modelSeconds: 0.01,
        entryTiming: { warmUpSeconds: 0, seconds: 0, minRepeats: 3, watchLoad: quietMachine },
      },
      progress: { start: (label) => ({ update: () => updates.push(label), stop() {} }) },
    });
    expect(report.engine).toBe('wasm');
    expect(report.rooflines[0]!.macsPerSecond).toBeGreaterThan(0);
    const layer = report.layers![0]!;
    expect(layer.binaryMacs).toBe(6 * 6 * 8 * 9 * 33);
    expect(layer.fp32Seconds).toBeGreaterThan(0);
    const wasm = layer.engines[0]!;
    expect(wasm.speedupVsFp32).toBeCloseTo(layer.fp32Seconds / wasm.seconds, 9);
    expect(wasm.rooflineFraction).toBeCloseTo(wasm.macsPerSecond / report.rooflines[0]!.macsPerSecond, 9);

    const table = report.table!;
    const distinct = new Set(latencyEntriesOf(arch).map(latencyKey)).size;
    expect(table.entries).toBe(distinct);
    expect(table.measured).toBe(distinct);
    expect(table.cacheFile).toContain(report.fingerprint);
    const p = table.predictions[0]!;
    expect(p.predictedSeconds).toBeGreaterThan(0);
    expect(p.error).toBeCloseTo((p.predictedSeconds - p.measuredSeconds) / p.measuredSeconds, 9);
    expect(report.model).toBeUndefined();
    expect(updates).toEqual(expect.arrayContaining(['layers', 'latency table', 'predicted vs measured']));

    // a second run reads the table from the cache
    const again = await benchKernels({
      engine: 'wasm',
      parts: ['table'],
      table: { cacheDir: cache, entries: latencyEntriesOf(arch), models: [], entryTiming: { seconds: 0, watchLoad: quietMachine } },
    });
    expect(again.table!.measured).toBe(0);
    expect(again.table!.entries).toBe(distinct);
  });
});
