// The latency-predictor benchmark on a tiny space: that it samples, predicts and scores as it says, not how well.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { benchLatencyPredictor, formatLatencyPredictor, summarizePredictions, type ArchPrediction } from '../../src/bench/latency-predictor.js';
import { loadConfig } from '../../src/space/config-file.js';
import { spaceFromConfig } from '../../src/space/config-space.js';
import { median } from '../../src/util/median-time.js';
import type { ProgressReporter } from '../../src/util/progress.js';
import { ensureWasmBuilt } from '../kernels/ensure-wasm.js';

/** The table sees a quiet machine, so that the second run's cache hits do not depend on this machine's load. */
const quick = { warmUpSeconds: 0, seconds: 0, minRepeats: 3, watchLoad: () => () => 0 };
let cache: string;
beforeAll(() => {
  ensureWasmBuilt();
  cache = mkdtempSync(join(tmpdir(), 'gn-latency-predictor-'));
});
afterAll(() => rmSync(cache, { recursive: true, force: true }));

const prediction = (name: string, predictedMs: number, measuredMs: number[]): ArchPrediction => {
  const sorted = [...measuredMs].sort((a, b) => a - b);
  const medianMs = sorted[sorted.length >> 1]!;
  return {
    name,
    predictedMs,
    tableSpeedMs: predictedMs,
    roundPredictedMs: measuredMs.map(() => predictedMs),
    measuredMs,
    medianMs,
    error: (predictedMs - medianMs) / medianMs,
    medianPairError: (predictedMs - medianMs) / medianMs,
    dispersion: (sorted[sorted.length - 1]! - sorted[0]!) / medianMs,
  };
};

/** The median over the rounds of each round's prediction ÷ its measurement, − 1. */
const roundError = (a: ArchPrediction) => median(a.measuredMs.map((ms, r) => a.roundPredictedMs[r]! / ms)) - 1;

describe('summarizePredictions', () => {
  it('scores shares within ±5% / ±10%, RMSE, bias and worst cases', () => {
    const archs = [prediction('a', 1.0, [1, 1, 1]), prediction('b', 1.08, [1, 1, 1]), prediction('c', 2.0, [1, 1.2, 0.9]), prediction('d', 0.96, [1, 1, 1])];
    const s = summarizePredictions(archs, 2);
    expect(s.within5).toBe(0.5); // a and d
    expect(s.within10).toBe(0.75); // and b
    expect(s.medianPairWithin10).toBe(0.75);
    expect(s.rmseMs).toBeCloseTo(Math.sqrt((0 + 0.08 ** 2 + 1 + 0.04 ** 2) / 4), 12);
    expect(s.meanError).toBeCloseTo((0 + 0.08 + 1 - 0.04) / 4, 12);
    expect(s.worst.map((a) => a.name)).toEqual(['c', 'b']);
    expect(s.dispersion.p90).toBeCloseTo(0.3, 12);
    expect(s.noiseWithin10).toBe(1);
    expect(s.tableSpeedWithin10).toBe(0.75);
    expect(s.roundWithin10).toBeCloseTo(9 / 12, 12); // a, b and d every round; c none (2.0 vs 1, 1.2, 0.9)
  });
});

describe('benchLatencyPredictor', () => {
  it('predicts and measures every sampled architecture on each engine asked', async () => {
    const space = spaceFromConfig(loadConfig('tiny'));
    const options = { archs: 3, engines: ['wasm'] as const, modelSeconds: 0.01, entryTiming: quick, cacheDir: cache, seed: 2, calibrationModels: 2 };
    const r = await benchLatencyPredictor(space, { ...options, rounds: 2 });
    expect(r.engines.map((e) => e.engine)).toEqual(['wasm']);
    const e = r.engines[0]!;
    expect(e.archs).toHaveLength(3);
    // Calibrated on two other models of the same draw, never on a checked one.
    const calibration = e.calibration!;
    expect(calibration.models).toHaveLength(2);
    for (const m of calibration.models) expect(e.archs.map((a) => a.name)).not.toContain(m.name);
    expect(calibration.factor).toBeGreaterThan(0);
    // Without the factor every round's prediction is divided by it, and so is the median of the rounds' ratios.
    const uncalibratedWithin10 = e.archs.filter((a) => Math.abs((1 + roundError(a)) / calibration.factor - 1) <= 0.1).length / 3;
    expect(e.uncalibrated!.within10).toBeCloseTo(uncalibratedWithin10, 12);
    expect(formatLatencyPredictor(r)).toContain(`entries × ${calibration.factor.toFixed(3)}`);
    for (const a of e.archs) {
      expect(a.measuredMs).toHaveLength(2);
      expect(a.predictedMs).toBeGreaterThan(0);
      expect(a.error).toBeCloseTo(roundError(a), 12);
      expect(a.medianPairError).toBeCloseTo((a.predictedMs - a.medianMs) / a.medianMs, 12);
    }
    expect(e.tableMeasuredNow).toBe(e.tableEntries);
    expect(formatLatencyPredictor(r)).toContain('within ±10%');
    // the table is cached: a second run measures no entry
    const again = await benchLatencyPredictor(space, { ...options, rounds: 1 });
    expect(again.engines[0]!.tableMeasuredNow).toBe(0);
  });

  it('predicts each model with the table read at the speed probed beside it: a probe twice as slow doubles the prediction', async () => {
    const space = spaceFromConfig(loadConfig('tiny'));
    let probeSeconds = 0.001;
    const progress: ProgressReporter = {
      start: (label) => {
        if (label.startsWith('whole models')) probeSeconds = 0.002;
        return { update() {}, stop() {} };
      },
    };
    const r = await benchLatencyPredictor(space, {
      archs: 2,
      rounds: 2,
      engines: ['wasm'],
      modelSeconds: 0.01,
      entryTiming: { ...quick, probe: () => probeSeconds },
      cacheDir: null,
      calibrationModels: 0,
      progress,
    });
    expect(r.engines[0]!.calibration).toBeUndefined();
    expect(formatLatencyPredictor(r)).toContain('not calibrated');
    for (const a of r.engines[0]!.archs) {
      expect(a.predictedMs).toBeCloseTo(2 * a.tableSpeedMs, 12);
      for (const ms of a.roundPredictedMs) expect(ms).toBeCloseTo(2 * a.tableSpeedMs, 12);
      expect(a.error).toBeCloseTo(roundError(a), 12);
      expect(a.medianPairError).toBeCloseTo((a.predictedMs - a.medianMs) / a.medianMs, 12);
    }
  });
});
