import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backend/select.js';
import { latencyEntriesOf, predictArchLatency } from '../../src/kernels/arch-latency.js';
import { createEngine } from '../../src/kernels/engines.js';
import { calibratedTable, measureCalibration } from '../../src/kernels/latency-calibration.js';
import { cacheCalibration, cachedCalibration, latencyCachePath, measureLatencyTable } from '../../src/kernels/latency-table.js';
import type { SpeedProbe } from '../../src/kernels/speed-probe.js';
import { loadConfig } from '../../src/space/config-file.js';
import { spaceFromConfig } from '../../src/space/config-space.js';
import { sampleDistinctArchs } from '../../src/space/distinct-sample.js';
import { untrainedPackedModel } from '../../src/train/index.js';
import { describeMachine, machineFingerprint } from '../../src/util/machine.js';
import { median } from '../../src/util/median-time.js';
import { ensureWasmBuilt } from './ensure-wasm.js';

/** One speed of the machine throughout, so that the table's entries and the models are read alike. */
const steadyProbe: SpeedProbe = () => 1e-3;
const quick = { warmUpSeconds: 0, seconds: 0, minRepeats: 3, watchLoad: () => () => 0, probe: steadyProbe };
let cache: string;
beforeAll(async () => {
  ensureWasmBuilt();
  await selectBackend('cpu'); // the models' initial weights
  cache = mkdtempSync(join(tmpdir(), 'gn-latency-calibration-'));
});
afterAll(() => rmSync(cache, { recursive: true, force: true }));

describe('latency calibration', () => {
  it("is the median of the models' measured ÷ predicted, which a calibrated table reads every entry times", () => {
    const engine = createEngine('wasm');
    const archs = sampleDistinctArchs(spaceFromConfig(loadConfig('tiny')), 3, 1);
    const table = measureLatencyTable(archs.flatMap(latencyEntriesOf), engine, { ...quick, cacheDir: null });
    const models = archs.map((arch) => ({ arch, model: untrainedPackedModel(arch, engine) }));
    const timing = { rounds: 1, seconds: 0.01, probe: steadyProbe };
    const calibration = measureCalibration(table, models, engine, timing);
    expect(calibration.ratios).toHaveLength(3);
    expect(calibration.factor).toBe(median(calibration.ratios));
    // Whole models and the sum of their entries: the same work, give or take what timing alone misses.
    for (const r of calibration.ratios) {
      expect(r).toBeGreaterThan(0.2);
      expect(r).toBeLessThan(5);
    }
    const calibrated = calibratedTable(table, calibration);
    for (const arch of archs) expect(predictArchLatency(calibrated, arch)).toBeCloseTo(predictArchLatency(table, arch) * calibration.factor, 12);
    // A table's own calibration is not part of what the models are measured against.
    const again = measureCalibration(calibratedTable(table, { factor: 100, ratios: [100] }), models, engine, timing);
    expect(again.factor).toBeGreaterThan(0.2);
  });

  it('is cached per engine and models beside the entries, which later tables keep; a damaged one reads as none', () => {
    const calibration = { factor: 1.05, ratios: [1.02, 1.05, 1.07] };
    cacheCalibration('wasm', 'models-a', calibration, cache);
    expect(cachedCalibration('wasm', 'models-a', cache)).toEqual(calibration);
    expect(cachedCalibration('native', 'models-a', cache)).toBeUndefined();
    expect(cachedCalibration('wasm', 'models-b', cache)).toBeUndefined();
    expect(cachedCalibration('wasm', 'models-a', null)).toBeUndefined();

    measureLatencyTable([{ op: 'relu', h: 4, w: 4, c: 8 }], createEngine('wasm'), { ...quick, cacheDir: cache });
    expect(cachedCalibration('wasm', 'models-a', cache)).toEqual(calibration);

    const path = latencyCachePath(cache, machineFingerprint(describeMachine()));
    const file = JSON.parse(readFileSync(path, 'utf8'));
    file.calibrations.wasm['models-a'].factor = -1;
    writeFileSync(path, JSON.stringify(file));
    expect(cachedCalibration('wasm', 'models-a', cache)).toBeUndefined();
  });
});
