/**
 * A search run directory damaged the ways a crash, a disk or a person damages it, at the phase it
 * happens: every derived file (a candidate's run.json, evaluation.json's results, search.json) is
 * rebuilt or re-trained with one line saying so and the run ends with the undamaged run's choice;
 * the source (config.json) is refused naming the field; a run that cannot evaluate its candidates
 * never exits 0 and never replaces arch.json; a copied run works with its own teacher.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backend/select.js';
import { bopsCostModel } from '../../src/search/cost-model.js';
import { searchPipeline, type SearchPipelineResult } from '../../src/search/search-pipeline.js';
import { FileFormatError, IncompleteRunError } from '../../src/util/errors.js';
import { ensureBuilt } from '../helpers/ensure-built.js';
import { evaluatedSearchConfig } from '../search/helpers.js';

const costModel = (layout: Parameters<typeof bopsCostModel>[0]) => bopsCostModel(layout);
const root = mkdtempSync(join(tmpdir(), 'gn-damaged-'));
const base = join(root, 'base');
let undamaged: SearchPipelineResult;

const json = (file: string) => JSON.parse(readFileSync(file, 'utf8'));
const edit = (file: string, change: (doc: Record<string, any>) => void) => {
  const doc = json(file);
  change(doc);
  writeFileSync(file, JSON.stringify(doc, null, 2));
};

/** A copy of the finished base run as a kill during candidate 0's training would have left it. */
function killedDuringEvaluation(name: string): string {
  const dir = join(root, name);
  cpSync(base, dir, { recursive: true });
  edit(join(dir, 'evaluation', 'evaluation.json'), (e) => {
    e.candidates[0] = { index: 0, arch: e.candidates[0].arch, status: 'pending', failures: [] };
    for (const c of e.candidates) delete c.latency;
  });
  for (const f of ['arch.json', 'model.gnb', 'report.md', 'pareto.svg']) rmSync(join(dir, f), { force: true });
  cpSync(join(dir, 'derived-arch.json'), join(dir, 'arch.json'));
  for (const f of ['result.json', 'model.gnb']) rmSync(join(dir, 'evaluation', 'candidates', '0', f));
  return dir;
}

/** The outcome that must not change: which candidate is chosen, and every candidate's accuracy. */
const choiceOf = (r: SearchPipelineResult) => ({
  chosen: r.evaluation!.chosen,
  accuracies: r.evaluation!.outcome.record.candidates.map((c) => c.result?.testAccuracy),
});

async function resume(dir: string, extra: { taskTimeoutMs?: number } = {}): Promise<{ result: SearchPipelineResult; lines: string[] }> {
  const lines: string[] = [];
  const result = await searchPipeline({ resume: dir }, { costModel, log: (l) => lines.push(l), ...extra });
  return { result, lines };
}

beforeAll(async () => {
  ensureBuilt(); // the evaluation pool's workers run dist/
  await selectBackend('wasm');
  undamaged = await searchPipeline({ config: evaluatedSearchConfig(['teacher.mode=train', 'teacher.epochs=1']), out: base }, { costModel });
  expect(undamaged.evaluation!.outcome.failed).toEqual([]);
}, 400_000);

describe('a search run directory with damaged files', () => {
  it("killed mid-evaluation, a candidate's run.json truncated and another's result {}: both evaluated again, the same choice", async () => {
    const dir = killedDuringEvaluation('derived');
    truncateSync(join(dir, 'evaluation', 'candidates', '0', 'run.json'), 100);
    edit(join(dir, 'evaluation', 'evaluation.json'), (e) => (e.candidates[1].result = {}));
    const { result, lines } = await resume(dir);
    expect(lines.join('\n')).toMatch(/candidates\/0\/run\.json: is not valid JSON: trained it again from scratch/);
    expect(lines.join('\n')).toMatch(/evaluation\.json: candidates\[1\]\.result\.testAccuracy: required field is missing: evaluating candidate 1 again/);
    expect(choiceOf(result)).toEqual(choiceOf(undamaged));
    expect(json(join(dir, 'arch.json')).blocks).toEqual(json(join(base, 'arch.json')).blocks);
  }, 300_000);

  it('result.testAccuracy "high": evaluated again, and report.md shows no NaN; the teacher\'s result {}: its time unknown, nothing else', async () => {
    const dir = join(root, 'high');
    cpSync(base, dir, { recursive: true });
    edit(join(dir, 'evaluation', 'evaluation.json'), (e) => (e.candidates[1].result.testAccuracy = 'high'));
    writeFileSync(join(dir, 'teacher', 'result.json'), '{}');
    const { result, lines } = await resume(dir);
    expect(lines.join('\n')).toMatch(/candidates\[1\]\.result\.testAccuracy: expected number, got "high": evaluating candidate 1 again/);
    expect(choiceOf(result)).toEqual(choiceOf(undamaged));
    const report = readFileSync(join(dir, 'report.md'), 'utf8');
    expect(report).not.toMatch(/NaN/);
    expect(report).toMatch(/\| teacher training \| unknown: .*result\.json: .*required field is missing/);
  }, 300_000);

  it('no candidate can finish (a 1 ms task timeout): exit code 4, arch.json as it was, no model.gnb', async () => {
    const dir = killedDuringEvaluation('timeout');
    const before = readFileSync(join(dir, 'arch.json'));
    const failing = resume(dir, { taskTimeoutMs: 1 });
    await expect(failing).rejects.toThrow(IncompleteRunError);
    await expect(failing).rejects.toMatchObject({ exitCode: 4 });
    expect(readFileSync(join(dir, 'arch.json'))).toEqual(before);
    expect(existsSync(join(dir, 'model.gnb'))).toBe(false);
  }, 300_000);

  it('config.json without its search section is refused naming it, not resumed on defaults', async () => {
    const dir = killedDuringEvaluation('config');
    edit(join(dir, 'config.json'), (c) => delete c.search);
    await expect(resume(dir)).rejects.toThrow(FileFormatError);
    await expect(resume(dir)).rejects.toThrow(/config\.json: search: missing/);
  });

  it('search.json with "epochs": "x": the supernet is trained again to the same α, the same choice', async () => {
    const dir = join(root, 'history');
    cpSync(base, dir, { recursive: true });
    edit(join(dir, 'search.json'), (s) => (s.epochs = 'x'));
    const { result, lines } = await resume(dir);
    expect(lines.join('\n')).toMatch(/search\.json is damaged \(epochs: expected array, got "x"\): training the supernet again/);
    expect(result.search.log.epochs.map((e) => e.alpha)).toEqual(undamaged.search.log.epochs.map((e) => e.alpha));
    expect(choiceOf(result)).toEqual(choiceOf(undamaged));
  }, 300_000);

  it('a copied run resumes against its own teacher, with the original teacher gone', async () => {
    const dir = killedDuringEvaluation('copy-source');
    const copy = join(mkdtempSync(join(tmpdir(), 'gn-damaged-elsewhere-')), 'copy');
    cpSync(dir, copy, { recursive: true });
    rmSync(dir, { recursive: true });
    renameSync(join(base, 'teacher'), join(base, 'teacher.away'));
    try {
      const { result } = await resume(copy);
      expect(choiceOf(result)).toEqual(choiceOf(undamaged));
      expect(json(join(copy, 'evaluation', 'candidates', '0', 'run.json')).options.distillation.teacher).toBe(join('..', '..', '..', 'teacher'));
      expect(json(join(copy, 'search.json')).teacher).toBe('teacher');
    } finally {
      renameSync(join(base, 'teacher.away'), join(base, 'teacher'));
    }
  }, 300_000);
});
