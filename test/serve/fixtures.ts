import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SearchEpoch as SearchEpochRecord, SearchLog } from '../../src/search/search-directory.js';
import { loadConfig } from '../../src/space/config-file.js';
import { buildPreset } from '../../src/space/presets.js';
import type { RunRecord, TrainingEpoch as EpochRecord } from '../../src/train/run-directory.js';
import { PACKAGE_ROOT } from '../../src/util/version.js';
import { tinyTraining } from '../helpers/tiny-training.js';

const json = (file: string, value: unknown) => {
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
};

function searchEpoch(epoch: number, p: number): SearchEpochRecord {
  return {
    epoch,
    warmup: epoch === 1,
    probabilities: [
      [p, 1 - p],
      [0.2, 0.3, 0.5],
    ],
    alpha: [
      [0, 0],
      [0, 0, 0],
    ],
    entropy: 0.9,
    expectedCost: 5e6,
    argmax: [0, 2],
    argmaxCost: 4.9e6,
    trainLoss: 2.1,
    trainAccuracy: 0.2,
    ...(epoch > 1 ? { archSteps: 2, archLoss: 2.2, archAccuracy: 0.18 } : {}),
    seconds: 1,
  };
}

/** The files a search writes during its supernet phase (config.json, search.json), `epochs` of them done. */
export function writeSearchRun(dir: string, epochs: number): void {
  json(join(dir, 'config.json'), loadConfig(join(PACKAGE_ROOT, 'configs', 'tiny.json')));
  const log: SearchLog = {
    format: 'groupnas.search',
    version: 1,
    toolVersion: '0.1.0',
    space: 'tiny',
    variables: [
      { id: 'bases@0', decision: 'bases', site: 0, choices: [1, 2] },
      { id: 'groupBoundary@0', decision: 'groupBoundary', site: 0, choices: ['continue', 'aggregate', 'soft'] },
    ],
    cost: { metric: 'bops', unit: 'BOPs', objective: 'multiplicative', target: 5e6, min: 1e6, max: 1e7 },
    epochs: Array.from({ length: epochs }, (_, e) => searchEpoch(e + 1, 0.5 + 0.1 * e)),
    warnings: [],
  };
  json(join(dir, 'search.json'), log);
}

/** A finished training run (run.json, history.json, result.json) of a binary or, as a teacher, a full-precision architecture. */
export function writeTrainingRun(dir: string, preset: 'groupnet-k3' | 'fp'): void {
  const arch = buildPreset(preset, { widthMultiplier: 0.25 });
  const options = tinyTraining({ epochs: 2 });
  const record: RunRecord = {
    format: 'groupnas.run',
    version: 1,
    kind: 'train',
    toolVersion: '0.1.0',
    createdAt: '2026-01-02T03:04:05.000Z',
    arch,
    options,
    dataset: { name: 'fashion-mnist-subset', checksum: 'x', train: 64, test: 64 },
  };
  const history: EpochRecord[] = [1, 2].map((epoch) => ({
    epoch,
    trainLoss: 2 / epoch,
    testAccuracy: 0.3 * epoch,
    testLoss: 2 / epoch,
    learningRate: 1e-3,
    seconds: 1,
  }));
  json(join(dir, 'run.json'), record);
  json(join(dir, 'history.json'), history);
  json(join(dir, 'result.json'), { testAccuracy: 0.6, testLoss: 1, testImages: 64, epochs: history });
}
