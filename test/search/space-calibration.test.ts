import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backend/select.js';
import { latencyEntriesOf } from '../../src/kernels/arch-latency.js';
import { createEngine } from '../../src/kernels/engines.js';
import { measureLatencyTable } from '../../src/kernels/latency-table.js';
import { calibrationCachePath, calibrationOnSpace } from '../../src/search/space-calibration.js';
import { loadConfig } from '../../src/space/config-file.js';
import { spaceFromConfig } from '../../src/space/config-space.js';
import { sampleDistinctArchs } from '../../src/space/distinct-sample.js';
import { ensureWasmBuilt } from '../kernels/ensure-wasm.js';

let dir: string;
beforeAll(async () => {
  ensureWasmBuilt();
  await selectBackend('cpu');
  dir = mkdtempSync(join(tmpdir(), 'gn-space-calibration-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('calibrationOnSpace', () => {
  it('times whole models of the space once per machine, engine and space, then reads the factor from the cache', () => {
    const space = spaceFromConfig(loadConfig('tiny'));
    const engine = createEngine('wasm');
    const quick = { warmUpSeconds: 0, seconds: 0, minRepeats: 3, watchLoad: () => () => 0 };
    const archs = sampleDistinctArchs(space, 2, 5);
    const table = measureLatencyTable(archs.flatMap(latencyEntriesOf), engine, { ...quick, cacheDir: null, rounds: 1 });
    const seen: { factor: number; measuredNow: boolean; models: string[] }[] = [];
    const calibrate = calibrationOnSpace(space, {
      models: 2,
      seed: 5,
      rounds: 1,
      seconds: 0.01,
      cacheDir: dir,
      onCalibrated: (c, measuredNow) => seen.push({ factor: c.factor, measuredNow, models: c.models.map((m) => m.name) }),
    });
    const first = calibrate(table, engine);
    expect(seen[0]!.measuredNow).toBe(true);
    expect(seen[0]!.models).toEqual(archs.map((a) => a.name));
    expect(first.modelFactor).toBe(seen[0]!.factor);
    expect(existsSync(calibrationCachePath(dir, table.fingerprint))).toBe(true);
    const second = calibrate(table, engine);
    expect(seen[1]).toEqual({ ...seen[0], measuredNow: false });
    expect(second.modelFactor).toBe(first.modelFactor);
    // Another count of models is another calibration.
    calibrationOnSpace(space, {
      models: 1,
      seed: 5,
      rounds: 1,
      seconds: 0.01,
      cacheDir: dir,
      onCalibrated: (c, now) => seen.push({ factor: c.factor, measuredNow: now, models: [] }),
    })(table, engine);
    expect(seen[2]!.measuredNow).toBe(true);
  });
});
