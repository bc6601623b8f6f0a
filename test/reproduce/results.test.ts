import { describe, expect, it } from 'vitest';
import type { ReproduceBudget } from '../../src/reproduce/budget.js';
import { buildResults, type SeedRun } from '../../src/reproduce/results.js';
import { resultsMarkdown } from '../../src/reproduce/results-markdown.js';
import { getTable } from '../../src/reproduce/tables.js';
import { tinyTraining } from '../helpers/tiny-training.js';

const { seed: _seed, checkpointEverySteps: _every, ...training } = tinyTraining({ epochs: 3 });
const budget: ReproduceBudget = { backbone: 'resnet-r', widthMultiplier: 0.5, training };
const dataset = { name: 'fashion-mnist-subset', checksum: 'e53d4d3e040285ea', train: 10000, test: 2000 };
const run = (seed: number, testAccuracy: number): SeedRun => ({ seed, dir: `x-seed${seed}`, testAccuracy, testImages: 64, trainingSeconds: 1 });

describe('reproduction results', () => {
  it('gives mean, sample std and range per preset beside the supplement row, and the ordering verdict', () => {
    const runs = new Map([
      ['fp', [run(1, 85), run(0, 84)]],
      ['groupnet-k1', [run(0, 78), run(1, 80)]],
      ['groupnet-k3', [run(0, 81), run(1, 82)]],
      ['groupnet-k5', [run(0, 83), run(1, 83)]],
    ]);
    const res = buildResults({ table: getTable('bases'), budget, dataset, seeds: [0, 1], runs });
    expect(res.complete).toBe(true);
    const k1 = res.rows.find((r) => r.preset === 'groupnet-k1')!;
    expect(k1.accuracy).toMatchObject({ count: 2, mean: 79, min: 78, max: 80 });
    expect(k1.accuracy!.std).toBeCloseTo(Math.SQRT2, 12);
    expect(k1.supplement).toMatchObject({ table: 'S2', top1: 56.4, cite: 'Table S2, Group-Net, 1 base (W1/A1)' });
    expect(res.rows[0]!.runs.map((r) => r.seed)).toEqual([0, 1]);
    expect(res.orderings).toEqual([expect.objectContaining({ claim: 'K=1 < K=3 < K=5', status: 'holds' })]);

    const md = resultsMarkdown(res);
    expect(md).toContain('| groupnet-k1 | 79.00% ± 1.41 | 78.00–80.00 | 0, 1 | 3 ep × 64 img | 56.4% | Table S2, Group-Net, 1 base (W1/A1) |');
    expect(md).toContain('✓ holds');
    expect(md).not.toContain('Incomplete');
  });

  it('shows missing seeds and an incomplete ordering while rows are still training', () => {
    const runs = new Map([
      ['groupnet-k5', [run(0, 70)]],
      ['gbd-v1-k5', [run(0, 71)]],
    ]);
    const res = buildResults({
      table: getTable('decompositions'),
      budget: { ...budget, training: { ...training, limit: undefined } },
      dataset,
      seeds: [0, 1],
      runs,
    });
    expect(res.complete).toBe(false);
    expect(res.rows.find((r) => r.preset === 'gbd-v2-k5')).toMatchObject({ runs: [], missingSeeds: [0, 1] });
    expect(res.orderings[0]).toMatchObject({ status: 'incomplete', detail: 'no finished run of gbd-v2-k5, gbd-v3-k5' });
    const md = resultsMarkdown(res);
    expect(md).toContain('| groupnet-k5 | 70.00% | – | 1 of 2 (0) | 3 ep × 10000 img | 64.8% |');
    expect(md).toContain('| lbd-k5 | not trained yet |');
    expect(md).toContain('the supplement has LBD only with 4-bit activations');
    expect(md).toContain('Incomplete: rerun the same command');
  });

  it('cites the supplement rows of every table (S1, S2, S4, S6)', () => {
    const cites = ['bases', 'decompositions', 'bits'].flatMap((t) => getTable(t).rows.map((r) => `${r.preset}: ${r.supplement.table} ${r.supplement.top1}`));
    expect(cites).toEqual([
      'fp: S2 69.7',
      'groupnet-k1: S2 56.4',
      'groupnet-k3: S2 62.5',
      'groupnet-k5: S2 64.8',
      'groupnet-k5: S1 64.8',
      'gbd-v1-k5: S1 63',
      'gbd-v2-k5: S1 62.2',
      'gbd-v3-k5: S1 59.2',
      'lbd-k5: S4 60.1',
      'fp: S6 69.7',
      'groupnet-k5: S2 64.8',
      'groupnet-k5-a2: S4 69.6',
      'groupnet-k5-a4: S6 70.1',
    ]);
    expect(() => getTable('widths')).toThrow(/unknown table "widths" \(expected one of: bases, decompositions, bits\)/);
  });
});
