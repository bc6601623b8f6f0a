// The supernet-ranking benchmark on the tiny config: that it scores and correlates what it says, not how well.
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backend/select.js';
import { benchSupernetRanking, formatSupernetRanking } from '../../src/bench/supernet-ranking.js';
import { bopsCostModel } from '../../src/search/cost-model.js';
import { runSearch } from '../../src/search/search-run.js';
import { RunDirectoryError, UsageError } from '../../src/util/errors.js';
import { ensureBuilt } from '../helpers/ensure-built.js';
import { evaluatedSearchConfig } from '../search/helpers.js';

let run: string;
beforeAll(async () => {
  ensureBuilt(); // the stand-alone trainings' workers run dist/
  await selectBackend('wasm');
  run = mkdtempSync(join(tmpdir(), 'gn-ranking-'));
  // with a teacher: the stand-alone trainings distil from the one search.json names relative to the run
  await runSearch(evaluatedSearchConfig(['teacher.mode=train', 'teacher.epochs=1']), { out: run, costModel: (layout) => bopsCostModel(layout) });
}, 900_000);

describe('benchSupernetRanking', () => {
  it("scores sampled architectures with the supernet's inherited weights and stand-alone, and correlates the two; a rerun resumes", async () => {
    const r = await benchSupernetRanking({ run, archs: 3, workers: 1 });
    expect(r.archs).toHaveLength(3);
    for (const a of r.archs) {
      expect(a.supernetAccuracy).toBeGreaterThanOrEqual(0);
      expect(a.supernetAccuracy).toBeLessThanOrEqual(1);
      expect(a.standAloneAccuracy).toBeGreaterThanOrEqual(0);
    }
    expect(r.kendallTau === undefined || Number.isNaN(r.kendallTau) || Math.abs(r.kendallTau) <= 1).toBe(true);
    expect(r.supernetEpochs).toBe(2);
    expect(JSON.parse(readFileSync(join(run, 'ranking', 'ranking.json'), 'utf8')).archs).toHaveLength(3);
    expect(existsSync(join(run, 'ranking', 'standalone', 'evaluation.json'))).toBe(true);
    expect(formatSupernetRanking(r)).toContain('Kendall τ');

    // The same sample, the supernet scored the same way, the trainings read back rather than redone.
    const again = await benchSupernetRanking({ run, archs: 3, workers: 1 });
    expect(again.archs).toEqual(r.archs);
  }, 1_200_000);

  it('without stand-alone training reports the supernet accuracies only; a run without a supernet is an error naming it', async () => {
    const r = await benchSupernetRanking({ run, archs: 2, standAlone: false, out: join(run, 'supernet-only') });
    expect(r.archs.every((a) => a.standAloneAccuracy === undefined)).toBe(true);
    expect(r.kendallTau).toBeUndefined();
    const empty = mkdtempSync(join(tmpdir(), 'gn-ranking-empty-'));
    await expect(benchSupernetRanking({ run: empty })).rejects.toThrow(RunDirectoryError);
  }, 900_000);

  it('ranks finished training runs instead of a sample: their accuracies, each architecture once, one schedule only', async () => {
    const sampled = await benchSupernetRanking({ run, archs: 3, workers: 1 }); // resumes the first test's trainings
    const dirs = [0, 1, 2].map((i) => join(run, 'ranking', 'standalone', 'candidates', String(i)));
    const lines: string[] = [];
    const r = await benchSupernetRanking({ run, trained: [...dirs, dirs[0]!], out: join(run, 'trained'), log: (l) => lines.push(l) });
    expect(r.archs.map((a) => a.name)).toEqual(dirs);
    expect(r.archs.map((a) => [a.bases, a.bits, a.supernetAccuracy, a.standAloneAccuracy])).toEqual(
      sampled.archs.map((a) => [a.bases, a.bits, a.supernetAccuracy, a.standAloneAccuracy]),
    );
    expect(r.kendallTau).toEqual(sampled.kendallTau);
    expect(r.seed).toBeUndefined();
    expect(lines.some((l) => l.includes('counted once'))).toBe(true);
    expect(existsSync(join(run, 'trained', 'standalone'))).toBe(false);

    const other = mkdtempSync(join(tmpdir(), 'gn-ranking-schedule-'));
    cpSync(dirs[1]!, other, { recursive: true });
    const record = JSON.parse(readFileSync(join(other, 'run.json'), 'utf8'));
    record.options.epochs += 1;
    writeFileSync(join(other, 'run.json'), JSON.stringify(record));
    const refused = benchSupernetRanking({ run, trained: [dirs[0]!, other], out: join(run, 'trained') });
    await expect(refused).rejects.toThrow(UsageError);
    await expect(refused).rejects.toThrow(/run\.json: options\.epochs: the run trained \d+ epochs/);
    await expect(benchSupernetRanking({ run, trained: dirs, archs: 3 })).rejects.toThrow(/trained: .*archs and seed/);
    await expect(benchSupernetRanking({ run, trained: dirs, seed: 1 })).rejects.toThrow(/trained: .*archs and seed/);
  }, 1_200_000);
});
