import { describe, expect, it } from 'vitest';
import { argmaxIndices, deriveCandidates, fitToTarget, topCandidates } from '../../src/search/derive.js';
import { archProblems } from '../../src/space/arch-validation.js';
import { bases, groupBoundary } from '../../src/space/index.js';
import { canonicalKey } from '../../src/space/canonical-arch.js';
import { createRng } from '../../src/util/random.js';
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
    expect(arch.groups).toEqual([
      { start: 0, end: 1 },
      { start: 1, end: 3 },
    ]);
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
    const oneGroup = topCandidates(
      space,
      [
        [0.1, 0.2, 0.7],
        [1 / 3, 1 / 3, 1 / 3],
        [1 / 3, 1 / 3, 1 / 3],
        [0.9, 0.1],
        [0.9, 0.1],
      ],
      1,
    )[0]!;
    expect(oneGroup.arch.groups).toEqual([{ start: 0, end: 3 }]);
    expect(Math.exp(oneGroup.logProbability)).toBeCloseTo(0.7 * 0.9 * 0.9, 10);
  });

  it('asking for more than the space holds returns every function once, as its most probable architecture', () => {
    const all = topCandidates(space, probabilities, 1000);
    const forms = new Map<string, number>();
    for (const indices of space.enumerateIndices()) {
      const form = canonicalKey(space.decode(indices));
      const logP = space.activeVariables(indices).reduce((sum, on, v) => sum + (on ? Math.log(probabilities[v]![indices[v]!]!) : 0), 0);
      forms.set(form, Math.max(forms.get(form) ?? -Infinity, logP));
    }
    // K = 1 on both sides of an aggregate boundary is one group: fewer functions than architectures.
    expect(forms.size).toBeLessThan(Number(space.size()));
    expect(all).toHaveLength(forms.size);
    for (const c of all) expect(c.logProbability).toBeCloseTo(forms.get(canonicalKey(c.arch))!, 10);
  });

  it('never returns two candidates with the same canonical form (soft = aggregate into one base)', () => {
    const full = tinySpace([bases({ choices: [1, 2] }), groupBoundary()]);
    const rng = createRng('derive-canonical');
    for (let trial = 0; trial < 5; trial++) {
      const p = full.variables.map((v) => {
        const raw = v.choices.map(() => rng() + 0.05);
        const total = raw.reduce((a, b) => a + b, 0);
        return raw.map((r) => r / total);
      });
      const top = topCandidates(full, p, 12);
      expect(top).toHaveLength(12);
      const keys = top.map((c) => canonicalKey(c.arch));
      expect(new Set(keys).size).toBe(keys.length);
    }
    // The case that scored twice: everything one base, argmax soft, runner-up aggregate at one boundary.
    const oneBase = full.variables.map((v) => (v.decision.name === 'bases' ? [0.9, 0.1] : [0.05, 0.35, 0.6]));
    const [first, second] = topCandidates(full, oneBase, 2);
    expect(first!.arch.bases.every((k) => k === 1)).toBe(true);
    expect(canonicalKey(second!.arch)).not.toBe(canonicalKey(first!.arch));
    expect(second!.arch.bases.some((k) => k === 2)).toBe(true);
  });

  it('fits a target that every single change overshoots with a pair of changes, one up and one down', () => {
    // At the argmax (bases@0 = 3, bases@1 = 1) the cost is 100; one step of bases@1 adds 50, one
    // step of bases@0 takes 48 off, so only the two together land near 102.
    const cost = (arch: Parameters<typeof space.encode>[0]) => {
      const i = space.encode(arch);
      return 100 + 50 * i[1]! + 48 * (i[0]! - 2);
    };
    expect(cost(space.decode(argmaxIndices(probabilities)))).toBe(100);
    const fitted = fitToTarget(space, probabilities, cost, 102, 0.01);
    expect(Math.abs(cost(space.decode(fitted)) - 102)).toBeLessThanOrEqual(1.02);
    expect(fitted.slice(0, 2)).toEqual([1, 1]);
  });
  it("derives the search's candidates: without a target the top-N, with one the fitted architecture first, then the argmax", () => {
    const top = topCandidates(space, probabilities, 3);
    const plain = deriveCandidates(space, probabilities, 3);
    expect(plain.map((c) => c.indices)).toEqual(top.map((c) => c.indices));
    expect(plain.map((c) => c.derivation)).toEqual(['argmax', 'top', 'top']);
    plain.forEach((c, i) => expect(c.probability).toBeCloseTo(Math.exp(top[i]!.logProbability), 12));

    // The number of bases in total as the cost: the argmax has 4, the target 2 is met by the fit alone.
    const cost = (arch: Parameters<typeof space.encode>[0]) => arch.bases.reduce((sum, k) => sum + k, 0);
    const fitted = deriveCandidates(space, probabilities, 3, { cost, target: 2 });
    expect(fitted.map((c) => c.derivation)).toEqual(['target', 'argmax', 'top']);
    expect(cost(space.decode(fitted[0]!.indices))).toBe(2);
    expect(fitted[1]!.indices).toEqual(top[0]!.indices);
    const forms = fitted.map((c) => canonicalKey(space.decode(c.indices)));
    expect(new Set(forms).size).toBe(3);
  });
});
