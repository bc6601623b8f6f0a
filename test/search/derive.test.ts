import { describe, expect, it } from 'vitest';
import { argmaxIndices, topCandidates } from '../../src/search/derive.js';
import { archProblems } from '../../src/space/arch-validation.js';
import { bases, groupBoundary } from '../../src/space/index.js';
import { tinySpace } from './helpers.js';

describe('derivation', () => {
  const space = tinySpace([bases({ choices: [1, 2, 3] }), groupBoundary({ choices: ['continue', 'aggregate'] })]);
  // bases@0..2, groupBoundary@0..1
  const probabilities = [
    [0.1, 0.2, 0.7],
    [0.6, 0.3, 0.1],
    [0.2, 0.5, 0.3],
    [0.2, 0.8],
    [0.9, 0.1],
  ];

  it('argmax takes the most probable choice of every variable', () => {
    expect(argmaxIndices(probabilities)).toEqual([2, 0, 1, 1, 0]);
    const arch = space.decode(argmaxIndices(probabilities));
    expect(arch.groups).toEqual([{ start: 0, end: 1 }, { start: 1, end: 3 }]);
    expect(arch.bases).toEqual([3, 1]);
  });

  it('top-N: the argmax first, then distinct valid architectures by probability', () => {
    const top = topCandidates(space, probabilities, 5);
    expect(top).toHaveLength(5);
    expect({ ...top[0]!.arch, name: undefined }).toEqual({ ...space.decode(argmaxIndices(probabilities)), name: undefined });
    const keys = top.map((c) => JSON.stringify({ ...c.arch, name: undefined }));
    expect(new Set(keys).size).toBe(5);
    for (const c of top) {
      expect(archProblems(c.arch)).toEqual([]);
      expect(space.encode(c.arch)).toEqual(c.indices);
    }
    for (let i = 2; i < top.length; i++) expect(top[i]!.logProbability).toBeLessThanOrEqual(top[i - 1]!.logProbability);
    // Inactive variables do not count: the one-group architecture's probability is P(K@0)·P(continue)².
    const oneGroup = topCandidates(space, [[0.1, 0.2, 0.7], [1 / 3, 1 / 3, 1 / 3], [1 / 3, 1 / 3, 1 / 3], [0.9, 0.1], [0.9, 0.1]], 1)[0]!;
    expect(oneGroup.arch.groups).toEqual([{ start: 0, end: 3 }]);
    expect(Math.exp(oneGroup.logProbability)).toBeCloseTo(0.7 * 0.9 * 0.9, 10);
  });

  it('asking for more than the space holds returns every architecture once', () => {
    const all = topCandidates(space, probabilities, 1000);
    expect(all).toHaveLength(Number(space.size()));
  });
});
