// The supernet-step bench: which spaces it measures, what it compares them with, and its report.
import * as tf from '../helpers/tfjs.js';
import { basename } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  benchConfigFiles,
  formatSupernetSteps,
  largestArchitecture,
  missingData,
  timeSupernetStep,
  withEveryDecision,
  type SupernetStepReport,
} from '../../src/bench/supernet-step.js';
import { supernetLayout } from '../../src/search/supernet-layout.js';
import { DEFAULT_CONFIG_FILE, loadConfig, spaceFromConfig } from '../../src/space/index.js';
import { tinySpace } from '../search/helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('supernet-step bench', () => {
  it('measures every config file, and the default config with every weight-sharing decision type', () => {
    const names = benchConfigFiles().map((f) => basename(f, '.json'));
    for (const name of ['default', 'tiny', 'fashion-mnist']) expect(names).toContain(name);

    const config = withEveryDecision(loadConfig(DEFAULT_CONFIG_FILE, []));
    expect(new Set(config.space.decisions.map((d) => d.type))).toEqual(new Set(['bases', 'groupBoundary', 'stageWidth', 'activationBits', 'dilation']));
    const space = spaceFromConfig(config);
    // Dilation only where a block may dilate (stride 1); the supernet takes the space.
    const dilated = space.variables.filter((v) => v.decision.name === 'dilation').map((v) => v.site);
    expect(dilated.length).toBeGreaterThan(0);
    for (const site of dilated) expect(space.template.blocks[site]!.stride).toBe(1);
    expect(() => supernetLayout(space)).not.toThrow();
  });

  it('compares with the dearest architecture: largest K, bits, width and dilation, soft connections', () => {
    const space = spaceFromConfig(withEveryDecision(loadConfig(DEFAULT_CONFIG_FILE, [])));
    const arch = largestArchitecture(space);
    expect(new Set(arch.bases)).toEqual(new Set([5]));
    expect(new Set(arch.bits)).toEqual(new Set([4]));
    expect(arch.connections.every((c) => c === 'soft')).toBe(true);
    expect(arch.widths).toEqual(space.template.widths);
    expect(arch.blocks.map((b) => b.dilation)).toEqual(space.template.blocks.map((b) => (b.stride === 1 ? 2 : 1)));
  });

  it('skips a config whose data set is not on this machine, saying so', () => {
    const config = loadConfig(DEFAULT_CONFIG_FILE, []);
    expect(missingData(config)).toBeUndefined();
    expect(missingData({ ...config, data: { ...config.data, dataset: '/nonexistent/imagenet' } })).toMatch(/data set \/nonexistent\/imagenet not found/);
  });

  it('times the three steps of a small space', () => {
    const t = timeSupernetStep(tinySpace(), { batch: 4, steps: 1, warmup: 0 });
    for (const ms of [...t.largestStepMsRounds, t.supernetWeightStepMs, t.supernetArchStepMs]) expect(ms).toBeGreaterThan(0);
    expect(t.largestStepMs).toBeCloseTo((t.largestStepMsRounds[0] + t.largestStepMsRounds[1]) / 2, 10);
    expect(t.archEvery).toBe(1);
    expect(t.searchStepRatio).toBeCloseTo((t.supernetWeightStepMs + t.supernetArchStepMs) / t.largestStepMs, 10);
    // One α step per N weight steps: the search pays 1/N of an α step per weight step.
    const every3 = timeSupernetStep(tinySpace(), { batch: 4, steps: 1, warmup: 0, archEvery: 3 });
    expect(every3.searchStepRatio).toBeCloseTo((every3.supernetWeightStepMs + every3.supernetArchStepMs / 3) / every3.largestStepMs, 10);
  });

  it('reports a row per space with the ratio against the 2× bound, and why a space was skipped', () => {
    const report: SupernetStepReport = {
      backend: 'wasm',
      batch: 64,
      entries: [
        {
          label: 'default',
          config: 'configs/default.json',
          searchBatch: 64,
          timing: {
            space: 'default',
            batch: 64,
            largest: 'bases 5 bits 4',
            largestStepMs: 3000,
            largestStepMsRounds: [2900, 3100],
            supernetWeightStepMs: 2400,
            supernetArchStepMs: 1500,
            weightStepRatio: 0.8,
            archEvery: 2,
            searchStepRatio: 1.05,
          },
        },
        { label: 'imagenet', config: 'configs/imagenet.json', searchBatch: 256, skipped: 'data set imagenet not found here' },
      ],
    };
    const lines = formatSupernetSteps(report).split('\n');
    expect(lines[0]).toMatch(/batch 64, wasm \(bound: weight step \+ α step \/ N ≤ 2×/);
    expect(lines[2]!.match(/\d+(\.\d+)?/g)).toEqual(['3000', '2400', '0.80', '1500', '2', '1.05']);
    expect(lines[3]).toBe('imagenet  skipped: data set imagenet not found here');
  });
});
