import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { candidatesProblems, readSearchConfig, readSearchLog } from '../../src/search/search-directory.js';
import { buildPreset } from '../../src/space/index.js';

describe('candidates.json', () => {
  it('checks each candidate as an arch.json, with paths under candidates[i].arch', () => {
    expect(candidatesProblems({ candidates: [{ arch: buildPreset('groupnet-k1') }] })).toEqual([]);
    const problems = candidatesProblems({ candidates: [{ arch: 5 }, {}] });
    expect(problems.map((p) => p.path)).toEqual(['candidates[0].arch', 'candidates[1].arch']);
    expect(candidatesProblems({})).toEqual([{ path: 'candidates', message: 'expected an array of candidates' }]);
  });
});

describe('search.json', () => {
  it('is read with errors naming the file and field; a run without one has none yet', () => {
    const dir = mkdtempSync(join(tmpdir(), 'groupnas-search-dir-'));
    expect(readSearchLog(dir)).toBeUndefined();
    const log = { format: 'groupnas.search', version: 1, variables: [], cost: {}, warnings: [], epochs: [{ epoch: 1, probabilities: [] }] };
    writeFileSync(join(dir, 'search.json'), JSON.stringify(log));
    expect(readSearchLog(dir)!.epochs).toHaveLength(1);
    writeFileSync(join(dir, 'search.json'), JSON.stringify({ ...log, epochs: [{ epoch: 2, probabilities: [] }] }));
    expect(() => readSearchLog(dir)).toThrow(/search\.json: epochs\[0\]\.epoch: expected 1, found 2/);
    writeFileSync(join(dir, 'search.json'), JSON.stringify({ ...log, format: 'groupnas.run' }));
    expect(() => readSearchLog(dir)).toThrow(/search\.json: format: expected "groupnas\.search"/);
  });

  it('a directory without config.json is not a search run', () => {
    expect(() => readSearchConfig(mkdtempSync(join(tmpdir(), 'groupnas-search-dir-')))).toThrow(/not a search run directory \(no config\.json\)/);
  });
});
