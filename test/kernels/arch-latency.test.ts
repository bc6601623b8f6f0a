import { describe, expect, it } from 'vitest';
import { connectionEntry, convEntriesOf, latencyEntriesOf, latencyItemsOf, predictArchLatency } from '../../src/kernels/arch-latency.js';
import type { BinaryEngine } from '../../src/kernels/engine.js';
import { latencyKey, measureLatencyTable, type ConvEntry, type LatencyEntry, type LatencyTable } from '../../src/kernels/latency-table.js';
import { entryWorkload } from '../../src/kernels/latency-workload.js';
import { PROBE_KINDS } from '../../src/kernels/speed-probe.js';
import { createEngine } from '../../src/kernels/engines.js';
import { packStateDict, type ArrayTensor } from '../../src/kernels/pack-state-dict.js';
import { PackedModel } from '../../src/kernels/packed-model.js';
import { buildModel } from '../../src/nn/group-net.js';
import type { Arch } from '../../src/space/arch.js';
import { buildPreset } from '../../src/space/presets.js';
import { describeMachine } from '../../src/util/machine.js';
import { createRng } from '../../src/util/random.js';

/** What the binary convs of some work do: inputs quantized (distinct packed inputs), new maps written, convs added into an existing map. */
interface ConvWork {
  packs: number;
  newMaps: number;
  accumulated: number;
}

/** Runs `run` on a js engine whose binary convs are counted. */
function countConvWork(run: (engine: BinaryEngine) => void): ConvWork {
  const engine = createEngine('js');
  const inputs = new Set<object>();
  const work = { packs: 0, newMaps: 0, accumulated: 0 };
  const counting: BinaryEngine = Object.create(engine) as BinaryEngine;
  const count = (input: object, accumulate: Float32Array | undefined) => {
    inputs.add(input);
    work.packs = inputs.size;
    if (accumulate) work.accumulated++;
    else work.newMaps++;
  };
  counting.conv = (input, weights, spec, transform, accumulate) => (count(input, accumulate), engine.conv(input, weights, spec, transform, accumulate));
  counting.bitPlaneConv = (input, weights, spec, transform, accumulate) => (
    count(input, accumulate),
    engine.bitPlaneConv(input, weights, spec, transform, accumulate)
  );
  run(counting);
  return work;
}

/** The binary conv work the entries of `arch` price, from their bases and outputs. */
function entryConvWork(entries: readonly ConvEntry[]): ConvWork {
  const work = { packs: 0, newMaps: 0, accumulated: 0 };
  for (const e of entries.filter((c) => c.bits !== 32)) {
    const output = e.output ?? 'new';
    work.packs += output === 'sum' ? 1 : e.bases;
    work.newMaps += output === 'new' ? e.bases : output === 'sum' ? 1 : 0;
    work.accumulated += output === 'add' ? e.bases : output === 'sum' ? e.bases - 1 : 0;
  }
  return work;
}

/** A packed model of `arch` with nn's initial weights. */
function packedModel(arch: Arch, engine: BinaryEngine): PackedModel {
  const net = buildModel(arch, { seed: 1 });
  try {
    const state: Record<string, ArrayTensor> = {};
    for (const [name, v] of Object.entries(net.stateDict())) state[name] = { shape: [...v.shape], data: v.dataSync() as Float32Array };
    return new PackedModel(packStateDict(arch, state), engine);
  } finally {
    net.dispose();
  }
}

describe('latencyEntriesOf', () => {
  it('lists the convs of Group-Net R (K=5) at the sizes they run at', () => {
    const keys = convEntriesOf(buildPreset('groupnet-k5')).map(latencyKey);
    expect(keys).toEqual([
      '28x28 1>32 k3 s1 d1 b32 K1', // stem
      '28x28 32>32 k3 s1 d1 b1 K5 +res',
      '28x28 32>32 k3 s1 d1 b1 K5 +res',
      '28x28 32>32 k3 s1 d1 b1 K5 +res',
      '28x28 32>32 k3 s1 d1 b1 K5 +res',
      '28x28 32>64 k3 s2 d1 b1 K5 +res',
      '14x14 64>64 k3 s1 d1 b1 K5 +res',
      '14x14 32>64 k1 s1 d1 b32 K5', // projection shortcut, per base
      '14x14 64>64 k3 s1 d1 b1 K5 +res',
      '14x14 64>64 k3 s1 d1 b1 K5 +res',
      '14x14 64>128 k3 s2 d1 b1 K5 +res',
      '7x7 128>128 k3 s1 d1 b1 K5 +res',
      '7x7 64>128 k1 s1 d1 b32 K5',
      '7x7 128>128 k3 s1 d1 b1 K5 +res',
      '7x7 128>128 k3 s1 d1 b1 K5 +res',
    ]);
  });

  it('follows the space: the stem max-pool of ResNet-18 (224² → 56²), LBD with one shortcut per layer', () => {
    const resnet = latencyEntriesOf(buildPreset('groupnet-k5', { backbone: 'resnet18' })).map(latencyKey);
    expect(resnet.slice(0, 4)).toEqual(['224x224 3>64 k7 s2 d1 b32 K1', 'batchNorm 112x112x64', 'maxPool 112x112x64 k3 s2', '56x56 64>64 k3 s1 d1 b1 K5 +res']);
    const lbd = convEntriesOf(buildPreset('lbd-k5', { widthMultiplier: 0.5 }));
    expect(lbd.filter((e) => e.bits === 1).every((e) => e.bases === 5 && e.output === 'sum')).toBe(true);
    expect(lbd.filter((e) => e.bits === 32 && e.kernel === 1).map((e) => e.bases)).toEqual([1, 1]);
  });

  it('lists the work between the convs of Group-Net R (K=5) where the packed engine does it', () => {
    const work = latencyItemsOf(buildPreset('groupnet-k5')).filter((item) => item.entry.op !== undefined);
    const at = (part: string, block?: number) =>
      work
        .filter((item) => item.place.part === part && (block === undefined || ('block' in item.place && item.place.block === block)))
        .map((item) => latencyKey(item.entry));
    expect(at('stem')).toEqual(['batchNorm 28x28x32']); // no ReLU before a 1-bit group
    expect(at('block', 0)).toEqual(Array(5).fill('copy 28x28x32')); // identity shortcut, per base
    expect(at('block', 2)).toEqual(Array(5).fill(['avgPool 28x28x32 k2 s2', 'batchNorm 14x14x64']).flat()); // projection shortcut, per base
    expect(at('connection')).toEqual(['mix 28x28x32 5>5', 'mix 28x28x32 5>5', 'mix 14x14x64 5>5', 'mix 14x14x64 5>5', 'mix 7x7x128 5>5']); // soft, after every block but the last
    expect(at('head')).toEqual(['mix 7x7x128 5>1', 'head 7x7x128>10']);
    // k-bit groups get the stem's ReLU; LBD adds its K-conv sums into the residual (two units per basic block).
    expect(
      latencyItemsOf(buildPreset('groupnet-k5-a2'))
        .filter((item) => item.place.part === 'stem')
        .map((item) => item.entry.op),
    ).toEqual([undefined, 'batchNorm', 'relu']);
    expect(latencyEntriesOf(buildPreset('lbd-k5')).filter((e) => e.op === 'add')).toHaveLength(2 * 6);
  });

  it('prices a skip block as the packed engine runs it: a copy of its input, or the projection shortcut', () => {
    const arch = buildPreset('groupnet-k5', { widthMultiplier: 0.5 });
    const skips = { ...arch, blocks: arch.blocks.map((b, i) => (i === 1 || i === 2 ? { ...b, kind: 'skip' as const } : b)) };
    const at = (block: number) =>
      latencyItemsOf(skips)
        .filter((item) => item.place.part === 'block' && item.place.block === block)
        .map((item) => latencyKey(item.entry));
    expect(at(1)).toEqual(Array(5).fill('copy 28x28x16'));
    expect(at(2)).toEqual(['14x14 16>32 k1 s1 d1 b32 K5', ...Array(5).fill(['avgPool 28x28x16 k2 s2', 'batchNorm 14x14x32']).flat()]);
    expect(at(3)[0]).toBe('14x14 32>32 k3 s1 d1 b1 K5 +res');
  });

  it('prices the binary convs a packed model runs: its quantized inputs, new maps and residual accumulations', () => {
    const tiny = (preset: string, backbone?: string): Arch => {
      const arch = buildPreset(preset, { widthMultiplier: 0.25, ...(backbone ? { backbone } : {}) });
      return { ...arch, input: { height: 8, width: 8, channels: 1 } };
    };
    const k3 = tiny('groupnet-k3');
    const archs = [
      k3,
      tiny('groupnet-k5-a2'), // k-bit planes
      tiny('lbd-k5'), // LBD: one quantized input, K convs summed
      tiny('groupnet-k3', 'bottleneck-r'), // the last unit adds the residual
      { ...k3, blocks: k3.blocks.map((b, i) => (i === 1 ? { ...b, kind: 'plain' as const } : b)) }, // no residual
    ];
    const rng = createRng(1);
    const image = Float32Array.from({ length: 64 }, () => rng());
    for (const arch of archs) {
      const model = countConvWork((engine) => packedModel(arch, engine).predict(image, 1));
      expect(model, arch.name).toEqual(entryConvWork(convEntriesOf(arch)));
    }
  });

  it('times each conv entry as its output says: quantized inputs, new maps, accumulations', () => {
    const conv: ConvEntry = { h: 4, w: 4, inChannels: 8, outChannels: 8, kernel: 3, stride: 1, dilation: 1, bits: 1, bases: 3 };
    for (const bits of [1, 4] as const) {
      for (const output of ['new', 'sum', 'add'] as const) {
        const entry = { ...conv, bits, output };
        const work = countConvWork((engine) => entryWorkload(entry, engine)());
        expect(work, `${bits} ${output}`).toEqual(entryConvWork([entry]));
      }
    }
  });

  it('prices a connection only where it does work', () => {
    const shape = [7, 7, 64] as [number, number, number];
    expect(connectionEntry('aggregate', 1, 3, shape)).toBeUndefined();
    expect(connectionEntry('aggregate', 3, 2, shape)).toEqual({ op: 'mix', h: 7, w: 7, c: 64, from: 3, to: 1 });
    expect(connectionEntry('soft', 1, 1, shape)).toBeUndefined();
    expect(connectionEntry('soft', 1, 4, shape)).toEqual({ op: 'mix', h: 7, w: 7, c: 64, from: 1, to: 4 });
  });

  it('predicts the sum of the table entries', () => {
    const arch = buildPreset('groupnet-k5-a2', { widthMultiplier: 0.5 });
    const entries = latencyEntriesOf(arch);
    expect(convEntriesOf(arch).filter((e) => e.bits === 2)).toHaveLength(12);
    const seconds = (e: LatencyEntry) => 0.001 * latencyKey(e).length;
    const table: LatencyTable = {
      fingerprint: 'x',
      engine: 'wasm',
      machine: describeMachine(),
      measurements: new Map(entries.map((e) => [latencyKey(e), { entry: e, seconds: seconds(e), repeats: 1, load: 0, probeSeconds: 1, perProbe: seconds(e) }])),
      probeSeconds: Object.fromEntries(PROBE_KINDS.map((kind) => [kind, 1])),
    };
    const distinct = new Map(entries.map((e) => [latencyKey(e), e]));
    expect(distinct.size).toBeLessThan(entries.length);
    expect(predictArchLatency(table, arch)).toBeCloseTo(
      entries.reduce((s, e) => s + seconds(e), 0),
      12,
    );
  });
});

describe('latency entries of segmentation models', () => {
  const input = { height: 32, width: 32, channels: 1 };
  const seg = (fcn: '32s' | '16s', bpac?: number[]) =>
    buildPreset('groupnet-k5', { widthMultiplier: 0.5, segmentation: { fcn, classes: 11, input, lastDilations: [4, 8] }, ...(bpac ? { bpac } : {}) });

  it('price the dilated last blocks at 16×16 and, under BPAC, each base at its own rate', () => {
    const plain = convEntriesOf(seg('32s')).map(latencyKey).slice(-3);
    expect(plain).toEqual(['16x16 32>64 k1 s1 d1 b32 K5', '16x16 64>64 k3 s1 d8 b1 K5 +res', '16x16 64>64 k3 s1 d8 b1 K5 +res']);
    const bpac = convEntriesOf(seg('32s', [1, 2, 4, 4, 16]))
      .map(latencyKey)
      .slice(-4);
    expect(bpac).toEqual([
      '16x16 64>64 k3 s1 d1 b1 K1 +res',
      '16x16 64>64 k3 s1 d2 b1 K1 +res',
      '16x16 64>64 k3 s1 d4 b1 K2 +res',
      '16x16 64>64 k3 s1 d16 b1 K1 +res',
    ]);
  });

  it('price the FCN head: classifiers, the 16s skip and the up-sampling to the input', () => {
    const head = (fcn: '32s' | '16s') =>
      latencyItemsOf(seg(fcn))
        .filter((item) => item.place.part === 'head')
        .map((item) => latencyKey(item.entry));
    expect(head('32s')).toEqual(['mix 16x16x64 5>1', 'fcnHead 16x16x64>11 @32x32']);
    expect(head('16s')).toEqual(['mix 16x16x64 5>1', 'fcnHead 16x16x64>11 @32x32 skip 16x16x32']);
  });

  it('measure every entry of a BPAC FCN-16s model on the js engine (the fcnHead workload included)', () => {
    const arch = seg('16s', [1, 2, 4, 8, 16]);
    const table = measureLatencyTable(latencyEntriesOf(arch), createEngine('js'), { cacheDir: null, warmUpSeconds: 0, seconds: 0.001, minRepeats: 1 });
    expect(predictArchLatency(table, arch)).toBeGreaterThan(0);
    const head = latencyEntriesOf(arch).find((e) => e.op === 'fcnHead')!;
    expect(table.measurements.get(latencyKey(head))!.seconds).toBeGreaterThan(0);
  });
});
