/**
 * What a supernet step costs next to a step of the largest architecture of its space (issue 8:
 * at most 2×). Both run forward + backward + weight update on the same random batch, on the
 * current backend; the architecture step (α's gradient on an arch-val batch) is timed too, since a
 * first-order search step runs one of each.
 */
import * as tf from '../util/tfjs.js';
import { buildModel } from '../nn/group-net.js';
import { createTrainer } from '../nn/trainer.js';
import { ArchitectureWeights } from '../search/architecture-weights.js';
import { BilevelTrainer } from '../search/bilevel.js';
import { bopsCostModel } from '../search/cost-model.js';
import { Supernet } from '../search/supernet.js';
import { supernetLayout } from '../search/supernet-layout.js';
import type { Arch } from '../space/arch.js';
import type { SearchSpace } from '../space/search-space.js';
import { loadConfig, spaceFromConfig } from '../space/index.js';
import { selectBackend } from '../backend/select.js';
import { createRng, randomInt } from '../util/random.js';
import { medianMs } from '../util/median-time.js';

export interface SupernetStepTiming {
  space: string;
  batch: number;
  /** The most expensive architecture of the space (what the supernet is compared with). */
  largest: string;
  largestStepMs: number;
  /** Weight step of the supernet (softmax relaxation). */
  supernetWeightStepMs: number;
  /** Architecture step (α gradient, first order). */
  supernetArchStepMs: number;
  /** supernetWeightStepMs / largestStepMs: the bound is 2. */
  weightStepRatio: number;
  /** (weight + architecture step) / largest step: one full first-order search step. */
  searchStepRatio: number;
}

/**
 * The most expensive architecture of a bases/boundary/bits space: the largest K and widest bits
 * everywhere (costs grow with both), and a cut with soft connections at every boundary that can
 * have one (one-block groups: the most connection work).
 */
export function largestArchitecture(space: SearchSpace): Arch {
  const indices = space.variables.map((v) => {
    const choices = v.choices as readonly (string | number)[];
    if (v.decision.name === 'groupBoundary') return Math.max(choices.indexOf('soft'), choices.indexOf('aggregate'), 0);
    return choices.reduce<number>((bi, c, i) => (Number(c) > Number(choices[bi]) ? i : bi), 0);
  });
  return space.decode(indices);
}

export function timeSupernetStep(space: SearchSpace, options: { batch?: number; steps?: number; warmup?: number; seed?: number } = {}): SupernetStepTiming {
  const batch = options.batch ?? 64;
  const steps = options.steps ?? 3;
  const warmup = options.warmup ?? 1;
  const seed = options.seed ?? 0;
  const rng = createRng(seed);
  const { height, width, channels } = space.template.input;
  const x = tf.tensor4d(Float32Array.from({ length: batch * height * width * channels }, () => rng() * 2 - 1), [batch, height, width, channels]);
  const y = tf.tensor1d(Int32Array.from({ length: batch }, () => randomInt(rng, space.template.head.classes)), 'int32');
  const largest = largestArchitecture(space);
  const layout = supernetLayout(space);
  const optimizer = { type: 'adam' as const, lr: 1e-3, momentum: 0.9, weightDecay: 5e-4 };
  try {
    const model = buildModel(largest, { seed });
    const trainer = createTrainer(model, { optimizer: 'adam', learningRate: 1e-3, weightDecay: 5e-4 });
    const largestStepMs = medianMs(() => trainer.step(x, y), steps, warmup);
    trainer.dispose();
    model.dispose();

    const supernet = new Supernet(layout, { seed });
    const alpha = new ArchitectureWeights(space);
    const bilevel = new BilevelTrainer(supernet, alpha, bopsCostModel(layout), { kind: 'none', target: 1, scale: 1, exponent: 0, weight: 0 }, {
      weightOptimizer: optimizer,
      weightSchedule: { kind: 'constant' },
      archOptimizer: { lr: 3e-4, beta1: 0.5, beta2: 0.999, weightDecay: 1e-3 },
      order: 'first',
    });
    const supernetWeightStepMs = medianMs(() => bilevel.weightStep(x, y), steps, warmup);
    const supernetArchStepMs = medianMs(() => bilevel.architectureStep({ x, y }, { x, y }), steps, warmup);
    bilevel.dispose();
    alpha.dispose();
    supernet.dispose();
    return {
      space: space.name,
      batch,
      largest: `bases ${largest.bases.join(',')} bits ${largest.bits.join(',')} connections ${largest.connections.join(',')}`,
      largestStepMs,
      supernetWeightStepMs,
      supernetArchStepMs,
      weightStepRatio: supernetWeightStepMs / largestStepMs,
      searchStepRatio: (supernetWeightStepMs + supernetArchStepMs) / largestStepMs,
    };
  } finally {
    tf.dispose([x, y]);
  }
}

/** `bench supernet-step`: the timing for a config's space on the wasm backend (what training here runs on). */
export async function benchSupernetStep(configFile: string, options: { batch?: number; steps?: number } = {}): Promise<SupernetStepTiming & { config: string }> {
  await selectBackend('wasm');
  return { config: configFile, ...timeSupernetStep(spaceFromConfig(loadConfig(configFile, [])), options) };
}

export function formatSupernetStep(t: SupernetStepTiming & { config: string }): string {
  return [
    `supernet step vs the largest architecture of ${t.config} (${t.space}), batch ${t.batch}`,
    `  largest architecture (${t.largest}): ${t.largestStepMs.toFixed(0)} ms per step`,
    `  supernet weight step: ${t.supernetWeightStepMs.toFixed(0)} ms (${t.weightStepRatio.toFixed(2)}×, bound 2×)`,
    `  supernet weight + α step: ${(t.supernetWeightStepMs + t.supernetArchStepMs).toFixed(0)} ms (${t.searchStepRatio.toFixed(2)}×)`,
  ].join('\n');
}
