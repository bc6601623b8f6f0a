import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { candidatesProblems, pathFromRun, pathInRun, readSearchConfig, readSearchLog, writeSearchConfig } from '../../src/search/search-directory.js';
import { loadConfig } from '../../src/space/config-file.js';
import { buildPreset } from '../../src/space/index.js';
import { FileFormatError } from '../../src/util/errors.js';
import { PACKAGE_ROOT } from '../../src/util/version.js';

describe('candidates.json', () => {
  it('checks each candidate as an arch.json, with paths under candidates[i].arch', () => {
    expect(candidatesProblems({ candidates: [{ arch: buildPreset('groupnet-k1') }] })).toEqual([]);
    const problems = candidatesProblems({ candidates: [{ arch: 5 }, {}] });
    expect(problems.map((p) => p.path)).toEqual(['candidates[0].arch', 'candidates[1].arch']);
    expect(candidatesProblems({})).toEqual([{ path: 'candidates', message: 'expected an array of candidates' }]);
  });
});

const tmp = () => mkdtempSync(join(tmpdir(), 'groupnas-search-dir-'));

describe('search.json', () => {
  const epoch = (n: number) => ({
    epoch: n,
    warmup: n === 1,
    probabilities: [[0.5, 0.5]],
    alpha: [[0, 0]],
    entropy: 1,
    expectedCost: 5,
    argmax: [0],
    argmaxCost: 4,
    trainLoss: 2.3,
    trainAccuracy: 0.1,
    seconds: 1,
  });
  const log = {
    format: 'groupnas.search',
    version: 1,
    toolVersion: '0.1.0',
    space: 'tiny',
    variables: [{ id: 'bases@0', decision: 'bases', site: 0, choices: [1, 2] }],
    cost: { metric: 'bops', unit: 'BOPs', objective: 'none', min: 1, max: 9 },
    teacher: 'teacher',
    epochs: [epoch(1), epoch(2)],
    warnings: [],
  };

  it('is read with errors naming the file and field; a run without one has none yet', () => {
    const dir = tmp();
    expect(readSearchLog(dir)).toBeUndefined();
    writeFileSync(join(dir, 'search.json'), JSON.stringify(log));
    expect(readSearchLog(dir)!.epochs).toHaveLength(2);
    writeFileSync(join(dir, 'search.json'), JSON.stringify({ ...log, epochs: [epoch(2)] }));
    expect(() => readSearchLog(dir)).toThrow(/search\.json: epochs\[0\]\.epoch: expected 1, found 2/);
    writeFileSync(join(dir, 'search.json'), JSON.stringify({ ...log, format: 'groupnas.run' }));
    expect(() => readSearchLog(dir)).toThrow(/search\.json: format: expected "groupnas\.search"/);
  });

  it.each([
    ['truncated', JSON.stringify(log).slice(0, 50), /search\.json: is not valid JSON/],
    ['{}', '{}', /search\.json: format: required field is missing/],
    ['epochs of the wrong type', JSON.stringify({ ...log, epochs: 'x' }), /search\.json: epochs: expected array, got "x"/],
    ['an epoch without its α', JSON.stringify({ ...log, epochs: [{ ...epoch(1), alpha: undefined }] }), /search\.json: epochs\[0\]\.alpha: required field/],
  ])('damaged (%s): a FileFormatError naming the file and field, not a TypeError', (_, text, message) => {
    const dir = tmp();
    writeFileSync(join(dir, 'search.json'), text);
    expect(() => readSearchLog(dir)).toThrow(FileFormatError);
    expect(() => readSearchLog(dir)).toThrow(message);
  });

  it('keeps the teacher relative to the run directory', () => {
    expect(pathInRun('runs/a', 'runs/a/teacher')).toBe('teacher');
    expect(pathFromRun('runs/b', 'teacher')).toBe(join('runs', 'b', 'teacher'));
    expect(pathFromRun('runs/b', '/abs/teacher')).toBe('/abs/teacher');
  });
});

describe('config.json of a run', () => {
  const config = () => loadConfig(join(PACKAGE_ROOT, 'configs', 'tiny.json'));
  const edit = (dir: string, change: (c: Record<string, unknown>) => void) => {
    const c = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    change(c);
    writeFileSync(join(dir, 'config.json'), JSON.stringify(c, null, 2));
  };

  it('a directory without config.json is not a search run', () => {
    expect(() => readSearchConfig(tmp())).toThrow(/not a search run directory \(no config\.json\)/);
  });

  it('reads back the resolved config it was started with; its hash is beside it in sha256sum form', () => {
    const dir = tmp();
    writeSearchConfig(dir, config());
    expect(readSearchConfig(dir)).toEqual(config());
    expect(readFileSync(join(dir, 'config.sha256'), 'utf8')).toMatch(/^[0-9a-f]{64} {2}config\.json\n$/);
  });

  it('a deleted section is refused naming it, not filled with defaults (also without a recorded hash)', () => {
    const dir = tmp();
    writeSearchConfig(dir, config());
    rmSync(join(dir, 'config.sha256'));
    edit(dir, (c) => delete c.search);
    expect(() => readSearchConfig(dir)).toThrow(FileFormatError);
    expect(() => readSearchConfig(dir)).toThrow(/config\.json: search: missing: a run directory keeps its resolved configuration whole/);
    writeSearchConfig(dir, config());
    edit(dir, (c) => delete (c.search as Record<string, unknown>).epochs);
    expect(() => readSearchConfig(dir)).toThrow(/config\.json: search\.epochs: missing/);
  });

  it('a run made before search.sandwich existed reads with it off, what the run did', () => {
    const dir = tmp();
    const { sandwich: _absent, ...search } = config().search;
    writeSearchConfig(dir, { ...config(), search } as ReturnType<typeof config>);
    expect(readSearchConfig(dir).search.sandwich).toBe(false);
  });

  it('a damaged one is refused naming the field; an edited one is told by its hash', () => {
    const dir = tmp();
    writeSearchConfig(dir, config());
    edit(dir, (c) => ((c.search as Record<string, unknown>).epochs = 'two'));
    expect(() => readSearchConfig(dir)).toThrow(/config\.json: search\.epochs: expected integer, got "two"/);
    writeSearchConfig(dir, config());
    edit(dir, (c) => (c.seed = 7));
    expect(() => readSearchConfig(dir)).toThrow(/config\.json: edited since the run started \(its sha256 differs from config\.sha256\)/);
    writeFileSync(join(dir, 'config.json'), '{"format": "groupnas.con');
    expect(() => readSearchConfig(dir)).toThrow(/config\.json: is not valid JSON/);
  });
});
