import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/util/random.js';
import {
  activationBits,
  bases,
  bopsCost,
  budget,
  buildPreset,
  dilation,
  groupBoundary,
  SearchSpace,
  stageWidth,
  summarize,
  type Arch,
} from '../../src/space/index.js';

const r2 = buildPreset('groupnet-k5', { widthMultiplier: 0.5 });
const r4 = buildPreset('groupnet-k3', { widthMultiplier: 0.25 });

function groupNetSpace(template: Arch = r2): SearchSpace {
  return new SearchSpace({
    name: 'groupnet',
    template,
    decisions: [bases(), groupBoundary(), stageWidth(), activationBits(), dilation({ sites: [3, 5], choices: [1, 2] })],
  });
}

describe('size() counts distinct architectures', () => {
  const small: [string, () => SearchSpace][] = [
    ['bases only, fixed one-block groups', () => new SearchSpace({ template: r4, decisions: [bases({ max: 3 })] })],
    ['boundaries only', () => new SearchSpace({ template: r4, decisions: [groupBoundary()] })],
    ['bases + boundaries (group sites come and go)', () => new SearchSpace({ template: r4, decisions: [bases({ max: 2 }), groupBoundary()] })],
    [
      'bases + bits + some boundaries over a GBD v3 template',
      () =>
        new SearchSpace({
          template: buildPreset('gbd-v3-k5', { widthMultiplier: 0.25 }),
          decisions: [groupBoundary({ sites: [1, 3], choices: ['continue', 'soft'] }), bases({ choices: [1, 5] }), activationBits({ choices: [1, 4] })],
        }),
    ],
    ['widths + dilation', () => new SearchSpace({ template: r4, decisions: [stageWidth(), dilation({ sites: [5] })] })],
  ];
  for (const [label, make] of small) {
    it(`${label}: size() = enumerate().length, all distinct`, () => {
      const space = make();
      const archs = space.enumerate();
      expect(BigInt(archs.length)).toBe(space.size());
      const bodies = new Set(archs.map((a) => JSON.stringify({ ...a, name: undefined, provenance: undefined })));
      expect(bodies.size).toBe(archs.length);
    });
  }

  it('known count: 6 one-block groups with K ∈ {1,2} → 2^6', () => {
    expect(new SearchSpace({ template: r4, decisions: [bases({ max: 2 })] }).size()).toBe(64n);
  });

  it('large spaces report size without enumerating', () => {
    const space = groupNetSpace();
    expect(space.size()).toBeGreaterThan(10n ** 9n);
    expect(space.log10Size()).toBeCloseTo(Math.log10(Number(space.size())), 10);
    expect(() => space.enumerate()).toThrow(/enumerate\(\) stops at/);
  });
});

describe('encode / decode', () => {
  it('round-trips 1,000 sampled architectures', () => {
    const space = groupNetSpace();
    const rng = createRng(7);
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const indices = space.sampleIndices(rng);
      const arch = space.decode(indices);
      expect(space.encode(arch)).toEqual(indices);
      expect(space.decode(space.encode(arch))).toEqual(arch);
      seen.add(JSON.stringify(indices));
    }
    expect(seen.size).toBeGreaterThan(990);
  });

  it('inactive group sites do not change the architecture', () => {
    const space = new SearchSpace({ template: r4, decisions: [groupBoundary(), bases({ max: 3 })] });
    // All boundaries "continue" (choice 0): one group, so only bases@0 matters.
    const a = space.decode([0, 0, 0, 0, 0, 2, 0, 1, 2, 0, 1]);
    const b = space.decode([0, 0, 0, 0, 0, 2, 1, 0, 0, 2, 2]);
    expect(a.groups).toEqual([{ start: 0, end: 6 }]);
    expect(a.bases).toEqual([3]);
    expect({ ...b, name: a.name }).toEqual(a);
    expect(space.activeVariables([0, 0, 0, 0, 0, 2, 0, 1, 2, 0, 1])).toEqual([true, true, true, true, true, true, false, false, false, false, false]);
  });

  it('decodes the group structure the boundaries describe', () => {
    const space = new SearchSpace({ template: r4, decisions: [groupBoundary(), bases({ max: 5 })] });
    // boundaries: aggregate after block 1, soft after block 3; bases of the groups at 0, 2, 4 = 2, 4, 5.
    const arch = space.decode([0, 1, 0, 2, 0, 1, 0, 3, 0, 4, 0]);
    expect(arch.groups).toEqual([
      { start: 0, end: 2 },
      { start: 2, end: 4 },
      { start: 4, end: 6 },
    ]);
    expect(arch.connections).toEqual(['aggregate', 'soft']);
    expect(arch.bases).toEqual([2, 4, 5]);
    expect(arch.bits).toEqual([1, 1, 1]);
  });

  it('encode rejects architectures outside the space, naming the field', () => {
    const space = new SearchSpace({ name: 'kspace', template: r4, decisions: [bases({ max: 3 })] });
    const tooMany = { ...r4, bases: r4.bases.map(() => 5) };
    expect(() => space.encode(tooMany)).toThrow(/bases@0 is 5, which is not a choice of search space kspace/);
    const otherStem = { ...r4, bases: r4.bases.map(() => 2), stem: { ...r4.stem, filters: 99 } };
    expect(() => space.encode(otherStem)).toThrow(/stem\.filters is 99, but search space kspace fixes it to 8/);
    expect(() => space.encode({ ...r2, bases: r2.bases.map(() => 2) })).toThrow(/stem\.filters is 16, but search space kspace fixes it to 8/);
  });

  it('decode validates the index vector', () => {
    const space = new SearchSpace({ template: r4, decisions: [bases({ max: 3 })] });
    expect(() => space.decode([0])).toThrow(/1 choice indices for 6 variables/);
    expect(() => space.decode([0, 0, 0, 0, 0, 3])).toThrow(/bases@5: choice index 3 is not in 0\.\.2/);
  });
});

describe('sampling and constraints', () => {
  it('the same seed gives the same architectures', () => {
    const space = groupNetSpace();
    const draw = (seed: number) => Array.from({ length: 5 }, (_, i) => space.sample(createRng(seed + i)));
    expect(draw(3)).toEqual(draw(3));
    expect(draw(3)).not.toEqual(draw(4));
  });

  it('sample() honours a BOPs budget', () => {
    const limit = summarize(buildPreset('groupnet-k1', { widthMultiplier: 0.5 })).totals.bops * 6;
    const space = new SearchSpace({ template: r2, decisions: [bases(), activationBits()], constraints: [budget(bopsCost, limit)] });
    const rng = createRng(1);
    for (let i = 0; i < 20; i++) expect(summarize(space.sample(rng)).totals.bops).toBeLessThanOrEqual(limit);
    expect(space.violations(buildPreset('groupnet-k5-a4', { widthMultiplier: 0.5 }))[0]).toMatch(/bops \d+ BOPs exceeds the budget/);
  });

  it('gives up clearly on an unreachable budget', () => {
    const space = new SearchSpace({ template: r4, decisions: [bases({ max: 2 })], constraints: [budget(bopsCost, 1)] });
    expect(() => space.sample(createRng(1), 50)).toThrow(/no architecture meeting bops ≤ 1 in 50 samples/);
  });
});

describe('space construction errors', () => {
  it('rejects duplicate decisions, bad sites and impossible group sites', () => {
    expect(() => new SearchSpace({ template: r4, decisions: [bases(), bases()] })).toThrow(/two decisions are named "bases"/);
    expect(() => new SearchSpace({ template: r4, decisions: [dilation({ sites: [6] })] })).toThrow(/site 6 is outside its block range 0\.\.5/);
    expect(() => new SearchSpace({ template: r4, decisions: [dilation()] })).toThrow(
      /decision dilation: choice 2 at site 2 gives an invalid architecture: blocks\[2\]\.dilation: expected 1 on a stride-2 block/,
    );
    const oneGroup = buildPreset('gbd-v3-k5', { widthMultiplier: 0.25 });
    expect(() => new SearchSpace({ template: oneGroup, decisions: [bases({ sites: [3] })] })).toThrow(/no group can start at block 3/);
  });
});
