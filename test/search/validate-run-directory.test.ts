/**
 * `groupnas validate RUN_DIR` on a tiny evaluated search (with a teacher): an intact run is valid;
 * each kind of file damaged the ways test/reliability/damaged-run-files.test.ts damages them is
 * named with the reader's words and what a resume does — and for search.json and evaluation.json
 * a real resume is run, whose lines must say what validate said.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backend/select.js';
import { bopsCostModel } from '../../src/search/cost-model.js';
import { EVERY_CANDIDATE_AGAIN } from '../../src/search/evaluate/evaluation-file.js';
import { SUPERNET_TRAINED_AGAIN } from '../../src/search/search-directory.js';
import { searchPipeline } from '../../src/search/search-pipeline.js';
import { validateRunDirectory } from '../../src/search/validate-run-directory.js';
import type { RunDirectoryReport } from '../../src/util/file-check.js';
import { UsageError } from '../../src/util/errors.js';
import { ensureBuilt } from '../helpers/ensure-built.js';
import { evaluatedSearchConfig } from './helpers.js';

const costModel = (layout: Parameters<typeof bopsCostModel>[0]) => bopsCostModel(layout);
const root = mkdtempSync(join(tmpdir(), 'gn-validate-run-'));
const base = join(root, 'base');

const edit = (file: string, change: (doc: Record<string, any>) => void) => {
  const doc = JSON.parse(readFileSync(file, 'utf8'));
  change(doc);
  writeFileSync(file, JSON.stringify(doc, null, 2));
};

/** A copy of the finished run, changed by `damage`. */
function copy(name: string, damage: (dir: string) => void): string {
  const dir = join(root, name);
  cpSync(base, dir, { recursive: true });
  damage(dir);
  return dir;
}

/** The files that are not sound, by path. */
const unsound = (r: RunDirectoryReport) => Object.fromEntries(r.files.filter((f) => f.state !== 'ok' && f.state !== 'absent').map((f) => [f.file, f]));

beforeAll(async () => {
  ensureBuilt(); // the evaluation pool's workers run dist/
  await selectBackend('wasm');
  await searchPipeline({ config: evaluatedSearchConfig(['teacher.mode=train', 'teacher.epochs=1']), out: base }, { costModel });
}, 400_000);

describe('validateRunDirectory on a search run', () => {
  it('an intact run: every file of the search, its teacher and its candidates is ok', () => {
    const report = validateRunDirectory(base);
    expect(report).toMatchObject({ kind: 'search', valid: true, resumedBy: `groupnas search --resume ${base}` });
    const files = report.files.map((f) => f.file);
    for (const file of ['config.json', 'config.sha256', 'teacher/run.json', 'teacher/checkpoint.gnck', 'checkpoint.gnck', 'search.json', 'candidates.json']) {
      expect(files).toContain(file);
    }
    for (const file of [
      'evaluation/evaluation.json',
      'evaluation/candidates/1/run.json',
      'evaluation/candidates/1/result.json',
      'evaluation/candidates/1/model.gnb',
    ]) {
      expect(files).toContain(file);
    }
    expect(report.files.filter((f) => f.state !== 'ok')).toEqual([]);
  });

  it('search.json with "epochs": "x" and a candidate\'s result "high": named, and a resume does what validate says', async () => {
    const dir = copy('wrong-type', (d) => {
      edit(join(d, 'search.json'), (s) => (s.epochs = 'x'));
      edit(join(d, 'evaluation', 'evaluation.json'), (e) => (e.candidates[1].result.testAccuracy = 'high'));
    });
    const report = validateRunDirectory(dir);
    expect(report.valid).toBe(false);
    const bad = unsound(report);
    expect(Object.keys(bad)).toEqual(['search.json', 'evaluation/evaluation.json']);
    expect(bad['search.json']).toMatchObject({
      state: 'damaged',
      problem: `${join(dir, 'search.json')} is damaged (epochs: expected array, got "x")`,
      resume: SUPERNET_TRAINED_AGAIN,
    });
    expect(bad['evaluation/evaluation.json']).toMatchObject({
      state: 'damaged',
      problem: `${join(dir, 'evaluation', 'evaluation.json')}: candidates[1].result.testAccuracy: expected number, got "high"`,
      resume: 'evaluating candidate 1 again',
    });
    const lines: string[] = [];
    await searchPipeline({ resume: dir }, { costModel, log: (l) => lines.push(l) });
    expect(lines).toContain(`${bad['search.json']!.problem}: ${bad['search.json']!.resume}`);
    expect(lines).toContain(`${bad['evaluation/evaluation.json']!.problem}: ${bad['evaluation/evaluation.json']!.resume}`);
    expect(validateRunDirectory(dir).valid).toBe(true);
  }, 300_000);

  it('truncated search.json and evaluation.json; search.json deleted', () => {
    const truncated = copy('truncated', (d) => {
      truncateSync(join(d, 'search.json'), 100);
      truncateSync(join(d, 'evaluation', 'evaluation.json'), 100);
    });
    const bad = unsound(validateRunDirectory(truncated));
    expect(bad['search.json']).toMatchObject({ state: 'damaged', problem: expect.stringMatching(/search\.json is damaged \(is not valid JSON\)$/) });
    expect(bad['evaluation/evaluation.json']).toMatchObject({
      state: 'damaged',
      problem: expect.stringMatching(/is not valid JSON$/),
      resume: EVERY_CANDIDATE_AGAIN,
    });
    const deleted = copy('deleted', (d) => rmSync(join(d, 'search.json')));
    expect(unsound(validateRunDirectory(deleted))['search.json']).toMatchObject({ state: 'missing', resume: SUPERNET_TRAINED_AGAIN });
  });

  it('candidates.json {}: damaged, and a resume derives the candidates again', () => {
    const dir = copy('candidates', (d) => writeFileSync(join(d, 'candidates.json'), '{}'));
    expect(unsound(validateRunDirectory(dir))).toEqual({
      'candidates.json': {
        file: 'candidates.json',
        state: 'damaged',
        problem: expect.stringMatching(
          /candidates\.json: format: required field is missing; version: required field is missing; metric: required field is missing \(and 2 more\)$/,
        ),
        resume: expect.stringMatching(/^deriving the candidates again/),
      },
    });
  });

  it("killed mid-evaluation with candidate 0's run.json truncated: resume trains candidate 0 again; a done candidate's result {} and missing model are not read", () => {
    const dir = copy('candidate-runs', (d) => {
      edit(join(d, 'evaluation', 'evaluation.json'), (e) => {
        e.candidates[0] = { index: 0, arch: e.candidates[0].arch, status: 'pending', failures: [] };
      });
      truncateSync(join(d, 'evaluation', 'candidates', '0', 'run.json'), 100);
      writeFileSync(join(d, 'evaluation', 'candidates', '1', 'result.json'), '{}');
      rmSync(join(d, 'evaluation', 'candidates', '1', 'model.gnb'));
    });
    const bad = unsound(validateRunDirectory(dir));
    expect(Object.keys(bad)).toEqual(['evaluation/candidates/0/run.json', 'evaluation/candidates/1/result.json', 'evaluation/candidates/1/model.gnb']);
    expect(bad['evaluation/candidates/1/model.gnb']).toMatchObject({
      state: 'missing',
      resume: expect.stringMatching(/^not checked \(candidate 1 is done in evaluation\.json\)/),
    });
    expect(bad['evaluation/candidates/0/run.json']).toMatchObject({
      state: 'damaged',
      problem: expect.stringMatching(/0\/run\.json: is not valid JSON$/),
      resume: 'training candidate 0 again from scratch',
    });
    expect(bad['evaluation/candidates/1/result.json']).toMatchObject({ state: 'damaged', resume: 'not read (candidate 1 is done in evaluation.json)' });
    // The candidate's directory validated alone: the same verdict, as the search resumes it.
    const alone = validateRunDirectory(join(dir, 'evaluation', 'candidates', '0'));
    expect(alone).toMatchObject({ kind: 'candidate', valid: false, resumedBy: `groupnas search --resume ${dir}` });
    expect(unsound(alone)['run.json']).toMatchObject({ resume: 'training candidate 0 again from scratch' });
  });

  it('config.json edited since the run started, or without its search section: resume refuses', () => {
    const edited = copy('config-edited', (d) => edit(join(d, 'config.json'), (c) => (c.search.epochs += 1)));
    const bad = unsound(validateRunDirectory(edited))['config.json'];
    expect(bad).toMatchObject({
      state: 'damaged',
      problem: expect.stringMatching(/config\.json: edited since the run started \(its sha256 differs from config\.sha256\)/),
    });
    expect(bad!.resume).toMatch(/^refuses/);
    const cut = copy('config-cut', (d) => edit(join(d, 'config.json'), (c) => delete c.search));
    expect(unsound(validateRunDirectory(cut))['config.json']).toMatchObject({ problem: expect.stringMatching(/config\.json: search: missing/) });
  });

  it("the supernet's checkpoint truncated: resume refuses; the teacher's result {}: not needed", () => {
    const dir = copy('checkpoint', (d) => {
      truncateSync(join(d, 'checkpoint.gnck'), 10);
      writeFileSync(join(d, 'teacher', 'result.json'), '{}');
    });
    const bad = unsound(validateRunDirectory(dir));
    expect(bad['checkpoint.gnck']).toMatchObject({
      problem: expect.stringMatching(/checkpoint\.gnck: file: truncated: 10 bytes/),
      resume: expect.stringMatching(/^refuses/),
    });
    expect(bad['teacher/result.json']!.resume).toMatch(/not needed: report\.md shows the teacher's training time as unknown/);
    expect(validateRunDirectory(join(dir, 'teacher'))).toMatchObject({ kind: 'teacher', valid: false, resumedBy: `groupnas search --resume ${dir}` });
  });

  it('a random search: both sample files read as randomSearch reads them back; a damaged one refused, a missing one drawn again', async () => {
    const dir = join(root, 'random');
    const config = evaluatedSearchConfig(['search.strategy=random', 'search.samples=2', 'cost.objective=none']);
    await searchPipeline({ config, out: dir }, { costModel, evaluate: false });
    const report = validateRunDirectory(dir);
    expect(report.valid).toBe(true);
    expect(report.files.map((f) => f.file).slice(0, 4)).toEqual(['config.json', 'config.sha256', 'search.json', 'candidates.json']);
    writeFileSync(join(dir, 'search.json'), '{}');
    const damaged = unsound(validateRunDirectory(dir))['search.json'];
    expect(damaged).toMatchObject({ state: 'damaged', resume: 'refuses with this error: the search continues from its samples' });
    await expect(searchPipeline({ resume: dir }, { costModel, evaluate: false })).rejects.toThrow(damaged!.problem!.split('; ')[0]!);
    rmSync(join(dir, 'search.json'));
    expect(unsound(validateRunDirectory(dir))['search.json']).toMatchObject({ state: 'missing', resume: expect.stringMatching(/^finding the samples again/) });
  }, 120_000);

  it('a directory that holds no run, and a path that is no directory: a clear error', () => {
    expect(() => validateRunDirectory(root)).toThrow(UsageError);
    expect(() => validateRunDirectory(root)).toThrow(/not a run directory \(no config\.json of a search run, no run\.json of a training run\)/);
    expect(() => validateRunDirectory(join(base, 'config.json'))).toThrow(/config\.json: not a directory/);
  });
});
