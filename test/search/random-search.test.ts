import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backend/select.js';
import { archCost, bopsCostModel } from '../../src/search/cost-model.js';
import { sampleWithinTarget } from '../../src/search/random-search.js';
import { searchPipeline } from '../../src/search/search-pipeline.js';
import { supernetLayout } from '../../src/search/supernet-layout.js';
import { canonicalKey } from '../../src/space/canonical-arch.js';
import { spaceFromConfig } from '../../src/space/config-space.js';
import { ensureBuilt } from '../helpers/ensure-built.js';
import { evaluatedSearchConfig } from './helpers.js';

beforeAll(async () => {
  ensureBuilt(); // the evaluation pool's workers run dist/
  await selectBackend('wasm');
});

const costModel = (layout: Parameters<typeof bopsCostModel>[0]) => bopsCostModel(layout);

/** The tiny space, its BOPs price and the median price of its architectures (a target many of them meet). */
function tinySpace() {
  const space = spaceFromConfig(evaluatedSearchConfig());
  const model = bopsCostModel(supernetLayout(space));
  const cost = (a: Parameters<typeof archCost>[1]) => archCost(model, a);
  const prices = space
    .enumerate()
    .map(cost)
    .sort((a, b) => a - b);
  return { space, cost, median: prices[prices.length >> 1]!, max: prices[prices.length - 1]! };
}

describe('sampleWithinTarget', () => {
  it('draws distinct architectures priced within ±10% of the target, the same ones for the same seed', () => {
    const { space, cost, median } = tinySpace();
    const { samples, draws } = sampleWithinTarget(space, cost, median, 4, 7);
    expect(samples).toHaveLength(4);
    expect(draws).toBeGreaterThanOrEqual(4);
    expect(new Set(samples.map((s) => canonicalKey(s.arch))).size).toBe(4);
    for (const s of samples) {
      expect(s.cost).toBe(cost(s.arch));
      expect(Math.abs(s.cost - median)).toBeLessThanOrEqual(0.1 * median);
      expect(space.decode(s.indices)).toEqual(s.arch);
    }
    expect(sampleWithinTarget(space, cost, median, 4, 7).samples.map((s) => s.indices)).toEqual(samples.map((s) => s.indices));
    expect(sampleWithinTarget(space, cost, median, 4, 8).samples.map((s) => s.indices)).not.toEqual(samples.map((s) => s.indices));
  });

  it('without a target takes any architecture; an unreachable target is an error that says what to change', () => {
    const { space, cost, max } = tinySpace();
    expect(sampleWithinTarget(space, cost, undefined, 3, 1).samples).toHaveLength(3);
    expect(() => sampleWithinTarget(space, cost, 10 * max, 2, 1)).toThrow(/within ±10% of the cost target .*lower search.samples or move the target/);
  });
});

describe('search --strategy random', () => {
  it('evaluates its samples as candidates through the same evaluator, chooses within the target, and resumes without resampling', async () => {
    const { median } = tinySpace();
    const dir = mkdtempSync(join(tmpdir(), 'gn-random-search-'));
    const config = evaluatedSearchConfig(['search.strategy=random', 'search.samples=2', 'evaluation.candidates=3', `cost.target=${median}`]);
    const { search, evaluation } = await searchPipeline({ config, out: dir }, { costModel });
    expect(search.log.strategy).toBe('random');
    expect(search.log.epochs).toEqual([]);
    expect(search.candidates.map((c) => c.derivation)).toEqual(['random', 'random']);
    expect(search.candidates.every((c) => Math.abs(c.cost - median) <= 0.1 * median)).toBe(true);
    expect(existsSync(join(dir, 'checkpoint.gnck'))).toBe(false); // no supernet was trained
    const records = evaluation!.outcome.record.candidates;
    expect(records.map((r) => r.status)).toEqual(['done', 'done']);
    expect(records.map((r) => canonicalKey(r.arch))).toEqual(search.candidates.map((c) => canonicalKey(c.arch)));
    expect(evaluation!.chosen).toBeDefined();
    const report = readFileSync(join(dir, 'report.md'), 'utf8');
    expect(report).toContain('- random search: 2 architectures drawn uniformly');
    expect(report).not.toContain('supernet search (');
    // Its own numbers, not the supernet's: as many candidates as samples, no images held out for α, no supernet derivation.
    expect(report).toContain('- evaluation: 2 candidates × ');
    expect(report).not.toContain('held out for the α steps');
    expect(report).not.toContain("the supernet's derivation");

    const resumed = await searchPipeline({ resume: dir }, { costModel });
    expect(resumed.search.candidates).toEqual(search.candidates);
    expect(resumed.evaluation!.outcome.skipped).toEqual([0, 1]);
  }, 900_000);
});
