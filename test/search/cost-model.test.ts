import * as tf from '../helpers/tfjs.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { latencyEntriesOf, predictArchLatency } from '../../src/kernels/arch-latency.js';
import { isConvEntry, latencyKey, type LatencyEntry, type LatencyTable } from '../../src/kernels/latency-table.js';
import { PROBE_KINDS } from '../../src/kernels/speed-probe.js';
import { selectBackend } from '../../src/backend/select.js';
import { ArchitectureWeights, oneHotProbabilities } from '../../src/search/architecture-weights.js';
import { BilevelTrainer } from '../../src/search/bilevel.js';
import { archCost, bopsCostModel, expectedCost, latencyCostModel, latencyEntriesOfSpace } from '../../src/search/cost-model.js';
import { structureWeights } from '../../src/search/structure-weights.js';
import { Supernet } from '../../src/search/supernet.js';
import { supernetLayout } from '../../src/search/supernet-layout.js';
import { bopsCost } from '../../src/space/constraints.js';
import { createRng } from '../../src/util/random.js';
import { activationBits, bases, dilation, groupBoundary, stageWidth } from '../../src/space/index.js';
import { tinySpace } from './helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A made-up but entry-specific time: work × a per-kind factor, plus a per-kind offset. */
function syntheticSeconds(e: LatencyEntry): number {
  if (isConvEntry(e))
    return (1e-6 * (e.h * e.w * e.inChannels * e.outChannels * e.kernel ** 2 * e.bases * (e.bits === 32 ? 8 : e.bits))) / 1000 + 1e-6 * e.dilation;
  const factor =
    e.op === 'mix' ? e.from * e.to + 0.5 * e.from : e.op === 'head' ? e.classes : ['batchNorm', 'relu', 'add', 'copy', 'avgPool', 'maxPool'].indexOf(e.op) + 2;
  return 1e-9 * e.h * e.w * e.c * factor + 1e-7 * factor;
}

/** A latency table with a synthetic time for every entry the space needs. */
function syntheticTable(entries: LatencyEntry[]): LatencyTable {
  const measurements = new Map(
    entries.map((e) => [latencyKey(e), { entry: e, seconds: syntheticSeconds(e), repeats: 1, load: 0, probeSeconds: 1, perProbe: syntheticSeconds(e) }]),
  );
  return {
    fingerprint: 'test',
    engine: 'js',
    machine: {} as LatencyTable['machine'],
    measurements,
    probeSeconds: Object.fromEntries(PROBE_KINDS.map((kind) => [kind, 1])),
  };
}

const spaces = {
  'bases × boundaries × bits': tinySpace(),
  'widths × dilations × bases × boundaries × bits': tinySpace([
    stageWidth(),
    dilation({ choices: [1, 2], sites: [0, 1] }),
    bases({ choices: [1, 2] }),
    groupBoundary(),
    activationBits({ choices: [1, 2] }),
  ]),
};

for (const [what, space] of Object.entries(spaces))
  describe(`cost model (${what})`, () => {
    const layout = supernetLayout(space);
    const samples = (() => {
      const rng = createRng(7);
      return Array.from({ length: 12 }, () => space.sampleIndices(rng));
    })();

    it('BOPs: E[cost] at one-hot α equals the derived architecture’s summary BOPs', () => {
      const model = bopsCostModel(layout);
      for (const indices of samples) {
        const arch = space.decode(indices);
        const expected = tf.tidy(() => expectedCost(model, structureWeights(layout, oneHotProbabilities(space, indices))).dataSync()[0]!);
        expect(archCost(model, arch)).toBe(bopsCost.evaluate(arch));
        expect(expected / bopsCost.evaluate(arch)).toBeCloseTo(1, 6);
      }
    });

    it('latency: E[cost] at one-hot α equals the LUT prediction of the derived architecture', () => {
      const table = syntheticTable(latencyEntriesOfSpace(layout));
      const model = latencyCostModel(layout, table);
      for (const indices of samples) {
        const arch = space.decode(indices);
        for (const e of latencyEntriesOf(arch)) expect(table.measurements.has(latencyKey(e))).toBe(true);
        const predictedMs = predictArchLatency(table, arch) * 1000;
        const expected = tf.tidy(() => expectedCost(model, structureWeights(layout, oneHotProbabilities(space, indices))).dataSync()[0]!);
        expect(archCost(model, arch) / predictedMs).toBeCloseTo(1, 9);
        expect(expected / predictedMs).toBeCloseTo(1, 5);
      }
    });

    for (const metric of ['bops', 'latency'] as const)
      it(`${metric}: E[cost] under uniform α is the mean over architectures weighted by their probability (brute force)`, () => {
        const model = metric === 'bops' ? bopsCostModel(layout) : latencyCostModel(layout, syntheticTable(latencyEntriesOfSpace(layout)));
        const alpha = new ArchitectureWeights(space);
        const expected = tf.tidy(() => expectedCost(model, structureWeights(layout, alpha.softmax())).dataSync()[0]!);
        // Brute force over every choice vector (inactive variables included: they cancel).
        const sizes = space.variables.map((v) => v.choices.length);
        let total = 0;
        let count = 0;
        const vector = sizes.map(() => 0);
        for (;;) {
          total += archCost(model, space.decode(vector));
          count++;
          let i = 0;
          while (i < vector.length && ++vector[i]! === sizes[i]) vector[i++] = 0;
          if (i === vector.length) break;
        }
        expect(expected / (total / count)).toBeCloseTo(1, 5);
        alpha.dispose();
      });

    it('latency: a soft connection between K and K′ bases costs its mix over an aggregate', () => {
      const table = syntheticTable(latencyEntriesOfSpace(layout));
      const model = latencyCostModel(layout, table);
      const boundary = space.variables.findIndex((v) => v.decision.name === 'groupBoundary' && v.site === 0);
      // Two bases everywhere: an aggregate sums two maps, a soft connection makes two sums of two.
      const indices = space.variables.map((v) => (v.decision.name === 'bases' ? v.choices.indexOf(2) : 0));
      const cost = (kind: string) => {
        indices[boundary] = space.variables[boundary]!.choices.indexOf(kind);
        const arch = space.decode(indices);
        expect(archCost(model, arch) / (predictArchLatency(table, arch) * 1000)).toBeCloseTo(1, 9);
        return archCost(model, arch);
      };
      expect(cost('soft')).toBeGreaterThan(cost('aggregate'));
    });

    it('prices every width and dilation choice differently where the space has them', () => {
      const model = bopsCostModel(layout);
      const table = syntheticTable(latencyEntriesOfSpace(layout));
      const latency = latencyCostModel(layout, table);
      space.variables.forEach((v, i) => {
        if (v.decision.name !== 'stageWidth' && v.decision.name !== 'dilation') return;
        const costs = v.choices.map((_, c) => {
          const indices = space.variables.map(() => 0);
          indices[i] = c;
          const arch = space.decode(indices);
          return v.decision.name === 'stageWidth' ? archCost(model, arch) : archCost(latency, arch);
        });
        expect(new Set(costs).size, v.id).toBe(costs.length);
      });
    });
  });

describe('cost model on the wasm backend', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  // The supernet's soft connection multiplies by a group's K distribution as matMul's `b` in one
  // shape; pricing connections with it as `b` in another corrupted the wasm heap (tfjs-backend-wasm
  // 4.22 reuses the operator it built for that data) and the first α step crashed.
  it('an α step with priced connections runs and frees its tensors', () => {
    const space = tinySpace();
    const layout = supernetLayout(space);
    const model = latencyCostModel(layout, syntheticTable(latencyEntriesOfSpace(layout)));
    expect(model.perBoundary.some((b) => b !== undefined)).toBe(true);
    const supernet = new Supernet(layout, { seed: 1 });
    const alpha = new ArchitectureWeights(space);
    const trainer = new BilevelTrainer(
      supernet,
      alpha,
      model,
      { kind: 'multiplicative', target: 1, scale: 1, exponent: 0.6, weight: 0 },
      {
        weightOptimizer: { type: 'adam', lr: 1e-3, momentum: 0.9, weightDecay: 0 },
        weightSchedule: { kind: 'constant' },
        archOptimizer: { lr: 0.01, beta1: 0.5, beta2: 0.999, weightDecay: 0 },
        order: 'first',
      },
    );
    const rng = createRng(3);
    const batch = () => ({
      x: tf.tensor4d(
        Float32Array.from({ length: 8 * 64 }, () => rng() - 0.5),
        [8, 8, 8, 1],
      ),
      y: tf.tensor1d(
        Int32Array.from({ length: 8 }, (_, i) => i % 3),
        'int32',
      ),
    });
    const before = tf.memory().numTensors;
    for (let step = 0; step < 3; step++) {
      const train = batch();
      const val = batch();
      expect(Number.isFinite(trainer.architectureStep(val, train).expectedCost)).toBe(true);
      trainer.weightStep(train.x, train.y);
      tf.dispose([train.x, train.y, val.x, val.y]);
    }
    expect(tf.memory().numTensors).toBe(before);
    trainer.dispose();
    alpha.dispose();
    supernet.dispose();
  });
});
