import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backend/select.js';
import { archCost, bopsCostModel } from '../../src/search/cost-model.js';
import { evolutionSettings, evolutionStrategy, type TrainForFitness } from '../../src/search/evolution-search.js';
import { sampleWithinTarget } from '../../src/search/random-search.js';
import type { SampledSearchRun, StrategySample } from '../../src/search/sampled-search.js';
import { searchPipeline } from '../../src/search/search-pipeline.js';
import { searchFile } from '../../src/search/search-directory.js';
import { supernetLayout } from '../../src/search/supernet-layout.js';
import type { Arch } from '../../src/space/arch.js';
import { canonicalKey } from '../../src/space/canonical-arch.js';
import { spaceFromConfig } from '../../src/space/config-space.js';
import { ensureBuilt } from '../helpers/ensure-built.js';
import { evaluatedSearchConfig } from './helpers.js';

beforeAll(async () => {
  ensureBuilt(); // the evaluation pool's workers run dist/
  await selectBackend('wasm');
});

/** The tiny space as a sampling run sees it, priced in BOPs, aiming at the median price (many architectures meet it). */
function tinyRun(extra: string[] = [], target: 'median' | 'none' = 'median'): SampledSearchRun {
  const config = evaluatedSearchConfig(extra);
  const space = spaceFromConfig(config);
  const costModel = bopsCostModel(supernetLayout(space));
  const cost = (a: Arch) => archCost(costModel, a);
  const prices = space
    .enumerate()
    .map(cost)
    .sort((a, b) => a - b);
  return {
    dir: '',
    config,
    space,
    costModel,
    cost,
    target: target === 'median' ? prices[prices.length >> 1]! : undefined,
    teacherDir: undefined,
    candidateArch: (i, s) => ({ ...s.arch, name: `tiny/evolution-${i}` }),
  };
}

/** A stand-in for training: a fixed accuracy per architecture, and a record of every list it was given. */
function fakeTraining(accuracy: (arch: Arch) => number | undefined) {
  const calls: string[][] = [];
  const train: TrainForFitness = (archs) => {
    calls.push(archs.map((a) => canonicalKey(a)));
    return Promise.resolve(archs.map(accuracy));
  };
  return { train, calls };
}

/** A deterministic pseudo-accuracy of an architecture (its key hashed). */
function hashAccuracy(arch: Arch): number {
  let h = 2166136261;
  for (const ch of canonicalKey(arch)) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  return (h >>> 0) / 2 ** 32;
}

/** Which decisions differ between two choice vectors, counting only those that matter in `a`. */
function changedActive(run: SampledSearchRun, a: StrategySample, b: StrategySample): number {
  const active = run.space.activeVariables(a.indices);
  return a.indices.filter((v, i) => active[i] && v !== b.indices[i]).length;
}

describe('evolutionSettings', () => {
  it('defaults to half the samples as population and a quarter of it as tournament, at least 2, at most what there is', () => {
    expect(evolutionSettings(evaluatedSearchConfig(), 10)).toEqual({ population: 5, tournament: 2, generation: 1 });
    expect(evolutionSettings(evaluatedSearchConfig(['evaluation.workers=2']), 40)).toEqual({ population: 20, tournament: 5, generation: 2 });
    expect(evolutionSettings(evaluatedSearchConfig(['search.population=3', 'search.tournament=9']), 10)).toEqual({
      population: 3,
      tournament: 3,
      generation: 1,
    });
    expect(evolutionSettings(evaluatedSearchConfig(['search.population=8']), 4).population).toBe(4);
  });
});

describe('evolutionStrategy', () => {
  it("starts from the random search's samples, then mutates one decision of a tournament's best, within the target, new each time", async () => {
    const run = tinyRun(['search.population=3', 'search.tournament=3', 'evaluation.workers=2']);
    const { train, calls } = fakeTraining(hashAccuracy);
    const { samples, log } = await evolutionStrategy(train).sample(run, 8, () => {});
    expect(samples).toHaveLength(8);
    expect(log).toEqual({ evolution: { population: 3, tournament: 3, generation: 2 } });
    const random = sampleWithinTarget(run.space, run.cost, run.target, 3, run.config.seed).samples;
    expect(samples.slice(0, 3).map((s) => s.indices)).toEqual(random.map((s) => s.indices));
    expect(new Set(samples.map((s) => canonicalKey(s.arch))).size).toBe(8);
    for (const s of samples) expect(Math.abs(s.cost - run.target!)).toBeLessThanOrEqual(0.1 * run.target!);
    // trained generation by generation, each list extending the last: 3, then 2 children at a time
    expect(calls.map((c) => c.length)).toEqual([3, 5, 7, 8]);
    for (let g = 1; g < calls.length; g++) expect(calls[g]!.slice(0, calls[g - 1]!.length)).toEqual(calls[g - 1]);
    // with the tournament the whole population, a child's parent is the best of the youngest three trained before its generation
    const born = [3, 3, 5, 5, 7];
    for (const [k, child] of samples.slice(3).entries()) {
      const alive = samples.slice(Math.max(0, born[k]! - 3), born[k]);
      const best = alive.reduce((a, b) => (hashAccuracy(b.arch) >= hashAccuracy(a.arch) ? b : a));
      if (child.derivation === 'mutation') {
        expect(samples[child.parent!]).toBe(best);
        expect(changedActive(run, child, best)).toBeGreaterThanOrEqual(1);
      } else expect(child.derivation).toBe('random');
    }
    expect(samples.slice(3).some((s) => s.derivation === 'mutation')).toBe(true);
    // the same seed and results, the same search
    const again = await evolutionStrategy(fakeTraining(hashAccuracy).train).sample(run, 8, () => {});
    expect(again.samples.map((s) => s.indices)).toEqual(samples.map((s) => s.indices));
  });

  it('never takes an architecture whose training failed as a parent while another is alive', async () => {
    for (let seed = 0; seed < 10; seed++) {
      const run = tinyRun(['search.population=3', 'search.tournament=3', 'evaluation.workers=2', `seed=${seed}`], 'none');
      let failed: string | undefined;
      const { train } = fakeTraining((arch) => {
        failed ??= canonicalKey(arch); // the first architecture trained fails
        return canonicalKey(arch) === failed ? undefined : 0.5;
      });
      const { samples } = await evolutionStrategy(train).sample(run, 5, () => {});
      expect(samples.slice(3).map((s) => s.parent)).not.toContain(0);
    }
  });
});

describe('search --strategy evolution', () => {
  it('refuses to run without the evaluation, before it trains anything', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gn-evolution-no-eval-'));
    const config = evaluatedSearchConfig(['search.strategy=evolution', 'teacher.mode=train']);
    const costModel = (layout: Parameters<typeof bopsCostModel>[0]) => bopsCostModel(layout);
    await expect(searchPipeline({ config, out: dir }, { costModel, evaluate: false })).rejects.toThrow(/evolution .*needs the evaluation/);
    expect(existsSync(searchFile(dir, 'teacher'))).toBe(false);
  });

  it('trains its generations on the evaluation workers, then times and chooses among them; resumes by replaying what evaluation/ holds', async () => {
    const { target } = tinyRun();
    const dir = mkdtempSync(join(tmpdir(), 'gn-evolution-search-'));
    const config = evaluatedSearchConfig(['search.strategy=evolution', 'search.samples=3', 'search.population=2', `cost.target=${target}`]);
    const lines: string[] = [];
    const costModel = (layout: Parameters<typeof bopsCostModel>[0]) => bopsCostModel(layout);
    const { search, evaluation } = await searchPipeline({ config, out: dir }, { costModel, log: (l) => lines.push(l) });
    expect(search.log.strategy).toBe('evolution');
    expect(search.log.evolution).toEqual({ population: 2, tournament: 2, generation: 1 });
    expect(search.candidates.map((c) => c.derivation)).toEqual(['random', 'random', expect.stringMatching(/^(mutation|random)$/)]);
    expect(lines.some((l) => l.startsWith('evolution: 3 of 3 trained, best test accuracy'))).toBe(true);
    const records = evaluation!.outcome.record.candidates;
    expect(records.map((r) => r.status)).toEqual(['done', 'done', 'done']);
    expect(records.map((r) => r.arch.name)).toEqual(search.candidates.map((c) => c.arch.name));
    expect(evaluation!.outcome.skipped).toEqual([0, 1, 2]); // trained during the search; the evaluation only timed them
    expect(records.every((r) => r.latency !== undefined)).toBe(true);
    expect(evaluation!.chosen).toBeDefined();
    expect(readFileSync(join(dir, 'report.md'), 'utf8')).toContain('- regularized evolution: 3 architectures');

    // killed before candidates.json: the search replays its generations from evaluation/, training nothing again
    rmSync(searchFile(dir, 'candidates'));
    rmSync(searchFile(dir, 'log'));
    const resumed = await searchPipeline({ resume: dir }, { costModel });
    expect(resumed.search.candidates.map((c) => c.indices)).toEqual(search.candidates.map((c) => c.indices));
    expect(resumed.evaluation!.outcome.evaluated).toEqual([]);
    expect(existsSync(searchFile(dir, 'candidates'))).toBe(true);
  }, 900_000);
});
