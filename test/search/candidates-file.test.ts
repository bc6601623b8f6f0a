import { describe, expect, it } from 'vitest';
import { candidatesProblems } from '../../src/search/candidates-file.js';
import { buildPreset } from '../../src/space/index.js';

describe('candidates.json', () => {
  it('checks each candidate as an arch.json, with paths under candidates[i].arch', () => {
    expect(candidatesProblems({ candidates: [{ arch: buildPreset('groupnet-k1') }] })).toEqual([]);
    const problems = candidatesProblems({ candidates: [{ arch: 5 }, {}] });
    expect(problems.map((p) => p.path)).toEqual(['candidates[0].arch', 'candidates[1].arch']);
    expect(candidatesProblems({})).toEqual([{ path: 'candidates', message: 'expected an array of candidates' }]);
  });
});
