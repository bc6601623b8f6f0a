/**
 * The latency table calibrated on whole models of the space searched (kernels/latency-calibration.ts):
 * its entries, timed alone, sum to ~0.95 of a native model, so an absolute latency target
 * (`cost.target` in ms, `--target-latency-ms`) would let through models that much slower; the
 * ranking of candidates and a relative target do not change with the factor. The factor is measured
 * once per machine, engine and space and cached beside the table, so a resumed search prices as the
 * run it continues.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BinaryEngine } from '../kernels/engine.js';
import { calibrateLatencyTable, CALIBRATION_MODELS, type ModelCalibration } from '../kernels/latency-calibration.js';
import { defaultCacheDir, type LatencyTable } from '../kernels/latency-table.js';
import { createSpeedProbe } from '../kernels/speed-probe.js';
import { sampleDistinctArchs } from '../space/distinct-sample.js';
import type { SearchSpace } from '../space/search-space.js';
import { untrainedPackedModel } from '../train/index.js';
import { writeJsonAtomic } from '../util/atomic-write.js';

const CACHE_FORMAT = 'groupnas.latency-calibration';
const CACHE_VERSION = 1;

interface CacheFile {
  format: typeof CACHE_FORMAT;
  version: typeof CACHE_VERSION;
  /** `engine/space/models` → the calibration measured. */
  calibrations: Record<string, ModelCalibration>;
}

export interface SpaceCalibrationOptions {
  /** Models drawn from the space (default CALIBRATION_MODELS, kernels/latency-calibration.ts). */
  models?: number;
  /** Seed of their draw. */
  seed: number;
  /** Rounds over them (default 3). */
  rounds?: number;
  /** Seconds of repeats per model and round (default: MODEL_TIMING's). */
  seconds?: number;
  /** Where the factor is cached (default: the latency table's, `defaultCacheDir()`); null = measure every time, keep nothing. */
  cacheDir?: string | null;
  /** Told the calibration used, and whether it was measured now. */
  onCalibrated?: (calibration: ModelCalibration, measuredNow: boolean) => void;
}

export function calibrationCachePath(cacheDir: string, fingerprint: string): string {
  return join(cacheDir, `latency-calibration-${fingerprint}.json`);
}

/** A cache is only a cache: a missing, unreadable or foreign file reads as empty. */
function readCache(path: string): CacheFile {
  try {
    const file = JSON.parse(readFileSync(path, 'utf8')) as Partial<CacheFile> | null;
    if (file?.format === CACHE_FORMAT && file.version === CACHE_VERSION && typeof file.calibrations === 'object' && file.calibrations !== null)
      return file as CacheFile;
  } catch {
    // measured afresh
  }
  return { format: CACHE_FORMAT, version: CACHE_VERSION, calibrations: {} };
}

function isCalibration(c: unknown): c is ModelCalibration {
  const v = c as Partial<ModelCalibration> | undefined;
  return typeof v?.factor === 'number' && v.factor > 0 && Array.isArray(v.models);
}

/** A function that calibrates a latency table of `space` on `engine` with whole untrained models of it (or reads the factor cached for them). */
export function calibrationOnSpace(space: SearchSpace, options: SpaceCalibrationOptions): (table: LatencyTable, engine: BinaryEngine) => LatencyTable {
  const count = options.models ?? CALIBRATION_MODELS;
  return (table, engine) => {
    const cacheDir = options.cacheDir === undefined ? defaultCacheDir() : options.cacheDir;
    const path = cacheDir === null ? undefined : calibrationCachePath(cacheDir, table.fingerprint);
    const key = `${engine.name}/${space.name}/${count}@${options.seed}`;
    const cached = path ? readCache(path).calibrations[key] : undefined;
    if (isCalibration(cached)) {
      options.onCalibrated?.(cached, false);
      return { ...table, modelFactor: cached.factor };
    }
    const models = sampleDistinctArchs(space, count, options.seed).map((arch) => untrainedPackedModel(arch, engine));
    const { table: calibrated, calibration } = calibrateLatencyTable(table, models, createSpeedProbe(engine, 'cpu'), {
      ...(options.rounds !== undefined ? { rounds: options.rounds } : {}),
      ...(options.seconds !== undefined ? { timing: { seconds: options.seconds } } : {}),
    });
    if (path) {
      // Re-read just before writing so that what another process added meanwhile survives.
      const latest = readCache(path);
      latest.calibrations[key] = calibration;
      writeJsonAtomic(path, latest);
    }
    options.onCalibrated?.(calibration, true);
    return calibrated;
  };
}
