import { describe, expect, it } from 'vitest';
import { archProblems, buildPreset, getBackbone, listBackbones, listPresets, summarize } from '../../src/space/index.js';

describe('presets registry', () => {
  it('lists the models of the paper', () => {
    expect(listPresets().map((p) => p.name)).toEqual([
      'fp',
      'groupnet-k1',
      'groupnet-k3',
      'groupnet-k5',
      'gbd-v1-k5',
      'gbd-v2-k5',
      'gbd-v3-k5',
      'groupnet-k5-a2',
      'groupnet-k5-a4',
      'lbd-k5',
    ]);
  });

  for (const { name: backbone } of listBackbones()) {
    it(`every preset on ${backbone} is a valid arch.json`, () => {
      for (const { name } of listPresets()) {
        const arch = buildPreset(name, { backbone });
        expect(archProblems(arch)).toEqual([]);
        expect(arch.provenance.source).toBe(`preset:${name}`);
        expect(summarize(arch).totals.params).toBeGreaterThan(0);
      }
    });
  }

  it('maps the supplement names to group structures', () => {
    const r = (name: string) => buildPreset(name);
    expect(r('groupnet-k5').groups).toHaveLength(6);
    expect(new Set(r('groupnet-k5').connections)).toEqual(new Set(['soft']));
    expect(r('gbd-v1-k5').connections).toEqual(['aggregate', 'aggregate', 'aggregate', 'aggregate', 'aggregate']);
    expect(r('gbd-v2-k5').groups).toEqual([
      { start: 0, end: 2 },
      { start: 2, end: 4 },
      { start: 4, end: 6 },
    ]);
    expect(r('gbd-v3-k5').groups).toEqual([{ start: 0, end: 6 }]);
    expect(r('gbd-v3-k5').connections).toEqual([]);
    expect(r('lbd-k5').decomposition).toBe('layer');
    expect(r('fp').bits).toEqual([32]);
    expect(r('fp').bases).toEqual([1]);
    expect(new Set(r('groupnet-k5-a2').bits)).toEqual(new Set([2]));
    expect(new Set(r('groupnet-k3').bases)).toEqual(new Set([3]));
  });

  it('R/2 is R at width multiplier 0.5 (16/32/64)', () => {
    const half = buildPreset('groupnet-k5', { widthMultiplier: 0.5 });
    expect(half.widths).toEqual([16, 32, 64]);
    expect(half.stem.filters).toBe(16);
    expect(buildPreset('groupnet-k5').widths).toEqual([32, 64, 128]);
    expect(half.name).toBe('groupnet-k5/resnet-r@0.5');
  });

  it('backbones: R per DESIGN §3, ResNet-18 with its max-pool stem', () => {
    const r = getBackbone('resnet-r');
    expect(r.blocks.map((b) => [b.stage, b.stride])).toEqual([
      [0, 1],
      [0, 1],
      [1, 2],
      [1, 1],
      [2, 2],
      [2, 1],
    ]);
    const r18 = getBackbone('resnet18');
    expect(r18.stem).toEqual({ filters: 64, kernel: 7, stride: 2, pool: { kernel: 3, stride: 2 } });
    expect(r18.blocks).toHaveLength(8);
    expect(getBackbone('resnet50').blocks.filter((b) => b.kind === 'bottleneck')).toHaveLength(16);
  });

  it('unknown names and bad options are usage errors', () => {
    expect(() => buildPreset('groupnet-k7')).toThrow(/unknown preset "groupnet-k7"/);
    expect(() => buildPreset('fp', { backbone: 'vgg' })).toThrow(/unknown backbone "vgg"/);
    expect(() => getBackbone('resnet-r', { widthMultiplier: 0 })).toThrow(/width multiplier must be a positive number/);
  });
});
