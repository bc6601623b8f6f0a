import { describe, expect, it } from 'vitest';
import { buildPreset, summarize, type Arch } from '../../src/space/index.js';
import { RESNET18_GROUPNET_K5 } from './resnet18-hand-count.js';

/** The paper's ResNet-18 Group-Net: K=5, one-block groups, soft connections, 224×224×3. */
const resnet18GroupNet: Arch = buildPreset('groupnet-k5', { backbone: 'resnet18' });

describe('summary', () => {
  it("the paper's ResNet-18 Group-Net matches the hand count", () => {
    const { totals } = summarize(resnet18GroupNet);
    expect(totals.binaryMacs).toBe(RESNET18_GROUPNET_K5.binaryMacs);
    expect(totals.binaryMacs).toBe(8_381_399_040);
    expect(totals.floatMacs).toBe(RESNET18_GROUPNET_K5.floatMacs);
    expect(totals.floatMacs).toBe(233_178_112);
    expect(totals.bops).toBe(totals.binaryMacs); // 1-bit activations
  });

  it('ResNet-18 full precision: the familiar 1.82 G MACs and 11.7 M params', () => {
    const { totals } = summarize(buildPreset('fp', { backbone: 'resnet18' }));
    expect(totals.binaryMacs).toBe(0);
    // Conv + FC MACs of torchvision's ResNet-18 (1.814 G) minus its non-pooled shortcut (we avg-pool first: same count).
    expect(totals.floatMacs).toBe(118_013_952 + RESNET18_GROUPNET_K5.binaryMacs / 5 + (28 * 28 * 128 * 64 + 14 * 14 * 256 * 128 + 7 * 7 * 512 * 256) + 512_000);
    expect(totals.floatMacs / 1e9).toBeCloseTo(1.814, 3);
    // torchvision counts 11,689,512 trainable params; we add BN running statistics (2 per BN channel: 9,600).
    expect(totals.params).toBe(11_689_512 + 9_600);
  });

  it('k-bit activations multiply BOPs, not binary MACs', () => {
    const a1 = summarize(buildPreset('groupnet-k5')).totals;
    const a4 = summarize(buildPreset('groupnet-k5-a4')).totals;
    expect(a4.binaryMacs).toBe(a1.binaryMacs);
    expect(a4.bops).toBe(4 * a1.bops);
  });

  it('bases scale binary MACs linearly; binary params are packed at 1 bit', () => {
    const k1 = summarize(buildPreset('groupnet-k1')).totals;
    const k5 = summarize(buildPreset('groupnet-k5')).totals;
    expect(k5.binaryMacs).toBe(5 * k1.binaryMacs);
    expect(k5.binaryParams).toBe(5 * k1.binaryParams);
    expect(k5.memoryBytes).toBe(k5.binaryParams / 8 + k5.floatParams * 4);
  });

  it('connections: GBD v1 aggregates (K MACs per element), Group-Net mixes (K² per element), GBD v3 has none', () => {
    const mixes = (name: string) => summarize(buildPreset(name)).layers.filter((l) => l.kind === 'mix');
    // R: boundaries after blocks 0..4 at 28×28×32, 28×28×32, 14×14×64, 14×14×64, 7×7×128 (each 25,088 elements).
    const elements = 25_088 + 25_088 + 12_544 + 12_544 + 6_272;
    const total = (name: string) => mixes(name).reduce((s, l) => s + l.floatMacs, 0);
    const finalAggregate = 5 * 6_272;
    expect(total('gbd-v1-k5')).toBe(5 * elements + finalAggregate);
    expect(total('groupnet-k5')).toBe(25 * elements + finalAggregate);
    expect(mixes('gbd-v3-k5').map((l) => l.name)).toEqual(['head.aggregate']);
    expect(total('groupnet-k1')).toBe(0);
  });

  it('LBD replicates convs but not shortcuts, and sums after every conv', () => {
    const lbd = summarize(buildPreset('lbd-k5'));
    const gbd = summarize(buildPreset('gbd-v1-k5'));
    expect(lbd.totals.binaryMacs).toBe(gbd.totals.binaryMacs);
    expect(lbd.layers.filter((l) => l.name.endsWith('.shortcut')).every((l) => l.replicas === 1)).toBe(true);
    expect(lbd.layers.filter((l) => l.name.endsWith('.sum'))).toHaveLength(12);
  });

  it('a skip block is its shortcut alone: nothing where it is the identity, the float projection where it down-samples', () => {
    const arch = buildPreset('groupnet-k5', { widthMultiplier: 0.5 });
    const skips = { ...arch, blocks: arch.blocks.map((b, i) => (i === 1 || i === 2 ? { ...b, kind: 'skip' as const } : b)) };
    const layers = summarize(skips).layers;
    expect(layers.filter((l) => l.block === 1 && l.kind === 'conv')).toEqual([]);
    const projection = layers.filter((l) => l.block === 2 && l.kind === 'conv');
    expect(projection.map((l) => [l.name, l.precision, l.inputShape, l.outputShape])).toEqual([['block2.shortcut', 'float', [28, 28, 16], [14, 14, 32]]]);
    // The next block reads the skip block's map: 14×14×32.
    expect(layers.find((l) => l.name === 'block3.conv1')!.inputShape).toEqual([14, 14, 32]);
    // Every binary op of blocks 1 and 2 is gone; the rest of the network is unchanged.
    const full = summarize(arch);
    const removed = full.layers.filter((l) => l.block === 1 || l.block === 2).reduce((sum, l) => sum + l.bops, 0);
    expect(removed).toBeGreaterThan(0);
    expect(summarize(skips).totals.bops).toBe(full.totals.bops - removed);
  });

  it('bottleneck and plain backbones count their own layers', () => {
    const r50 = summarize(buildPreset('fp', { backbone: 'resnet50' })).totals;
    expect(r50.floatMacs / 1e9).toBeCloseTo(4.09, 1); // the usual 4.1 G MACs
    const alex = summarize(buildPreset('groupnet-k1', { backbone: 'alexnet' }));
    // K=1: the aggregations are scalars folded into BN, so no mix rows.
    expect(alex.layers.map((l) => l.name)).toEqual(['stem.conv', 'block0.conv1', 'block1.conv1', 'block2.conv1', 'block3.conv1', 'head.fc']);
    // AlexNet-style: 224 → 56 (11×11/4) → 28 (pool) → 28 → 14 (stride-2 conv) → 14 → 14.
    expect(alex.layers.find((l) => l.name === 'block3.conv1')!.outputShape).toEqual([14, 14, 256]);
  });
});
