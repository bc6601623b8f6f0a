import { describe, expect, it } from 'vitest';
import { latencyEntriesOf, predictArchLatency } from '../../src/kernels/arch-latency.js';
import { latencyKey, type LatencyTable } from '../../src/kernels/latency-table.js';
import { buildPreset } from '../../src/space/presets.js';
import { describeMachine } from '../../src/util/machine.js';

describe('latencyEntriesOf', () => {
  it('lists the convs of Group-Net R (K=5) at the sizes they run at', () => {
    const keys = latencyEntriesOf(buildPreset('groupnet-k5')).map(latencyKey);
    expect(keys).toEqual([
      '28x28 1>32 k3 s1 d1 b32 K1', // stem
      '28x28 32>32 k3 s1 d1 b1 K5',
      '28x28 32>32 k3 s1 d1 b1 K5',
      '28x28 32>32 k3 s1 d1 b1 K5',
      '28x28 32>32 k3 s1 d1 b1 K5',
      '28x28 32>64 k3 s2 d1 b1 K5',
      '14x14 64>64 k3 s1 d1 b1 K5',
      '14x14 32>64 k1 s1 d1 b32 K5', // projection shortcut, per base
      '14x14 64>64 k3 s1 d1 b1 K5',
      '14x14 64>64 k3 s1 d1 b1 K5',
      '14x14 64>128 k3 s2 d1 b1 K5',
      '7x7 128>128 k3 s1 d1 b1 K5',
      '7x7 64>128 k1 s1 d1 b32 K5',
      '7x7 128>128 k3 s1 d1 b1 K5',
      '7x7 128>128 k3 s1 d1 b1 K5',
    ]);
  });

  it('follows the space: the stem max-pool of ResNet-18 (224² → 56²), LBD with one shortcut per layer', () => {
    const resnet = latencyEntriesOf(buildPreset('groupnet-k5', { backbone: 'resnet18' })).map(latencyKey);
    expect(resnet[0]).toBe('224x224 3>64 k7 s2 d1 b32 K1');
    expect(resnet[1]).toBe('56x56 64>64 k3 s1 d1 b1 K5');
    const lbd = latencyEntriesOf(buildPreset('lbd-k5', { widthMultiplier: 0.5 }));
    expect(lbd.filter((e) => e.bits === 1).every((e) => e.bases === 5)).toBe(true);
    expect(lbd.filter((e) => e.bits === 32 && e.kernel === 1).map((e) => e.bases)).toEqual([1, 1]);
  });

  it('predicts the sum of the table entries', () => {
    const arch = buildPreset('groupnet-k5-a2', { widthMultiplier: 0.5 });
    const entries = latencyEntriesOf(arch);
    expect(entries.filter((e) => e.bits === 2)).toHaveLength(12);
    const table: LatencyTable = { fingerprint: 'x', engine: 'wasm', machine: describeMachine(), measurements: new Map(entries.map((e) => [latencyKey(e), { entry: e, seconds: 0.001 * e.bases, repeats: 1 }])) };
    const distinct = new Map(entries.map((e) => [latencyKey(e), e]));
    expect(distinct.size).toBeLessThan(entries.length);
    expect(predictArchLatency(table, arch)).toBeCloseTo(entries.reduce((s, e) => s + 0.001 * e.bases, 0), 12);
  });
});
