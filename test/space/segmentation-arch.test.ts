import { describe, expect, it } from 'vitest';
import { archProblems } from '../../src/space/arch-validation.js';
import { getBackbone } from '../../src/space/backbone.js';
import { withLastBlocksBpac } from '../../src/space/base-dilation.js';
import { buildPreset } from '../../src/space/presets.js';
import { segmentationBackbone } from '../../src/space/segmentation-backbone.js';
import { summarize } from '../../src/space/summary.js';

const input = { height: 32, width: 32, channels: 1 };
const seg = (lastDilations: [number, number], fcn: '32s' | '16s' = '32s') => ({ fcn, classes: 11, input, lastDilations }) as const;

describe('segmentation backbones', () => {
  it('dilate the last two blocks; a dilated block loses its stride, so (4, 8) ends on 16×16 maps and (1, 1) on 8×8', () => {
    const plain = segmentationBackbone(getBackbone('resnet-r', { widthMultiplier: 0.5 }), seg([1, 1]));
    const dilated = segmentationBackbone(getBackbone('resnet-r', { widthMultiplier: 0.5 }), seg([4, 8]));
    expect(plain.blocks.slice(4).map((b) => [b.stride, b.dilation])).toEqual([
      [2, 1],
      [1, 1],
    ]);
    expect(dilated.blocks.slice(4).map((b) => [b.stride, b.dilation])).toEqual([
      [1, 4],
      [1, 8],
    ]);
    const last = (name: string) =>
      summarize(buildPreset('fp', { widthMultiplier: 0.5, segmentation: seg(name === 'plain' ? [1, 1] : [4, 8]) })).layers.find(
        (l) => l.name === 'head.classifier',
      )!;
    expect(last('plain').inputShape).toEqual([8, 8, 64]);
    expect(last('dilated').inputShape).toEqual([16, 16, 64]);
  });

  it('every preset on every backbone gives a valid segmentation arch.json (ResNet-18/34/50 included)', () => {
    for (const backbone of ['resnet-r', 'bottleneck-r', 'plain-r', 'resnet18', 'resnet34', 'resnet50']) {
      for (const fcn of ['32s', '16s'] as const) {
        const arch = buildPreset('groupnet-k5', { backbone, widthMultiplier: 0.25, segmentation: { fcn, classes: 21, lastDilations: [2, 4] } });
        expect(archProblems(arch), `${backbone} ${fcn}`).toEqual([]);
        expect(arch.head).toEqual({ classes: 21, fcn });
      }
    }
  });

  it('FCN-16s adds a skip classifier on the second-to-last stage and an up-sampling to it', () => {
    const arch = buildPreset('fp', { widthMultiplier: 0.5, segmentation: seg([1, 1], '16s') });
    const layers = summarize(arch).layers;
    const skip = layers.find((l) => l.name === 'head.skip')!;
    expect(skip.inputShape).toEqual([16, 16, 32]);
    expect(skip.floatMacs).toBe(16 * 16 * 32 * 11);
    expect(layers.find((l) => l.name === 'head.upsample16')!.outputShape).toEqual([16, 16, 11]);
    expect(layers.find((l) => l.name === 'head.upsample')!.floatMacs).toBe(4 * 32 * 32 * 11);
  });
});

describe('BPAC', () => {
  it('on Group-Net K=5 keeps the structure and gives the last two groups one rate per base, at no extra cost', () => {
    const plain = buildPreset('groupnet-k5', { widthMultiplier: 0.5, segmentation: seg([4, 8]) });
    const bpac = buildPreset('groupnet-k5', { widthMultiplier: 0.5, segmentation: seg([4, 8]), bpac: [1, 2, 4, 8, 16] });
    expect(archProblems(bpac)).toEqual([]);
    expect(bpac.groups).toEqual(plain.groups);
    expect(bpac.dilations).toEqual([[], [], [], [], [1, 2, 4, 8, 16], [1, 2, 4, 8, 16]]);
    expect(summarize(bpac).totals).toEqual(summarize(plain).totals);
    expect(summarize(bpac).layers.find((l) => l.block === 5)!.baseDilations).toEqual([1, 2, 4, 8, 16]);
  });

  it('on the full-precision net splits off K float branches per last block: the multi-dilation baseline, several times the FLOPs', () => {
    const fp = buildPreset('fp', { widthMultiplier: 0.5, segmentation: seg([4, 8]) });
    const multi = withLastBlocksBpac(fp, [1, 2, 4, 8, 16]);
    expect(archProblems(multi)).toEqual([]);
    expect(multi.groups).toEqual([
      { start: 0, end: 4 },
      { start: 4, end: 5 },
      { start: 5, end: 6 },
    ]);
    expect(multi.bases).toEqual([1, 5, 5]);
    expect(multi.connections).toEqual(['aggregate', 'aggregate']);
    const ratio = summarize(multi).totals.floatMacs / summarize(fp).totals.floatMacs;
    expect(ratio).toBeGreaterThan(2.5);
    expect(ratio).toBeLessThan(5);
  });

  it('is refused where it cannot apply, naming why', () => {
    expect(() => buildPreset('groupnet-k3', { segmentation: seg([4, 8]), bpac: [1, 2, 4, 8, 16] })).toThrow(/one-block groups of K = 5/);
    expect(() => buildPreset('groupnet-k5', { segmentation: seg([1, 1]), bpac: [1, 2, 4, 8, 16] })).toThrow(/block 4 has stride 2/);
    const arch = buildPreset('groupnet-k5', { widthMultiplier: 0.5, segmentation: seg([4, 8]) });
    expect(archProblems({ ...arch, dilations: [[], [], [], [], [1, 2], []] })).toEqual([
      { path: 'dilations[4]', message: 'expected one rate per base (5), got 2' },
    ]);
    expect(archProblems({ ...arch, dilations: [[], [], [1, 2, 4, 8, 16], [], [], []] })[0]!.message).toMatch(/stride-2 block/);
    expect(archProblems({ ...arch, dilations: [[]] })[0]!.path).toBe('dilations');
  });
});
