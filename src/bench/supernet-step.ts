/**
 * What a supernet step costs next to a step of the largest architecture of its space: the
 * supernet applies choices as weights on shared bases (supernet.ts), so a search step should cost
 * at most 2× that step. Both run forward + backward + update on the same random batch, on the
 * current backend; the architecture step (α's gradient on an arch-val batch, same batch size) is timed
 * too, since a first-order search step runs one of each: the bound applies to their sum.
 *
 * `npm run bench` measures every config in configs/ whose data set is here, plus a space with
 * every decision type (the default config's, with stage widths and dilations added).
 */
import { existsSync, readdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import * as tf from '../util/tfjs.js';
import { buildModel } from '../nn/group-net.js';
import { createTrainer } from '../nn/trainer.js';
import { ArchitectureWeights } from '../search/architecture-weights.js';
import { BilevelTrainer } from '../search/bilevel.js';
import { bopsCostModel } from '../search/cost-model.js';
import { NO_COST_TERM } from '../search/cost-objective.js';
import { Supernet } from '../search/supernet.js';
import { supernetLayout } from '../search/supernet-layout.js';
import type { Arch } from '../space/arch.js';
import type { DecisionConfig, SearchConfig } from '../space/config.js';
import type { SearchSpace } from '../space/search-space.js';
import { DEFAULT_CONFIG_FILE, loadConfig, spaceFromConfig } from '../space/index.js';
import { DEBIAN_FASHION_MNIST_DIR } from '../data/locate.js';
import { selectBackend, type TrainingKernelOptions } from '../backend/select.js';
import { createRng, randomInt } from '../util/random.js';
import { medianMs } from '../util/median-time.js';
import { PACKAGE_ROOT } from '../util/version.js';

export interface SupernetStepTiming {
  space: string;
  batch: number;
  /** The most expensive architecture of the space (what the supernet is compared with). */
  largest: string;
  /** Mean of the two rounds below: the largest architecture is timed before and after the supernet, so load that drifts during the run falls on both sides. */
  largestStepMs: number;
  largestStepMsRounds: [number, number];
  /** Weight step of the supernet (softmax relaxation). */
  supernetWeightStepMs: number;
  /** Architecture step (α gradient, first order). */
  supernetArchStepMs: number;
  /** supernetWeightStepMs / largestStepMs. */
  weightStepRatio: number;
  /** The config's search.archEvery: one α step per this many weight steps. */
  archEvery: number;
  /** (weight step + architecture step / archEvery) / largest step: the search's cost per weight step (first order); the bound is 2. */
  searchStepRatio: number;
}

/** Dilation rates of the every-decision space: two, as a segmentation search would start with. */
export const EVERY_DECISION_DILATIONS = [1, 2];

/**
 * The most expensive architecture of a space: the largest value of every numeric decision (K,
 * bits, width, dilation: costs grow with each), and a cut with soft connections at every boundary
 * that can have one (one-block groups: the most connection work).
 */
export function largestArchitecture(space: SearchSpace): Arch {
  const indices = space.variables.map((v) => {
    const choices = v.choices as readonly (string | number)[];
    if (v.decision.name === 'groupBoundary') return Math.max(choices.indexOf('soft'), choices.indexOf('aggregate'), 0);
    return choices.reduce<number>((bi, c, i) => (Number(c) > Number(choices[bi]) ? i : bi), 0);
  });
  return space.decode(indices);
}

/**
 * The decision types the every-decision space adds: the classification decisions relaxed over the
 * supernet's shared weights (what the 2× bound is about). `blockOp` builds a block per choice, and
 * per-base dilation needs fixed one-block groups, which `groupBoundary` unfixes.
 */
export const EVERY_DECISION_TYPES: readonly DecisionConfig['type'][] = ['bases', 'groupBoundary', 'stageWidth', 'activationBits', 'dilation'];

/**
 * A config whose space has every weight-sharing decision type: its own decisions plus each missing
 * one with its default choices, except dilation: {1, 2} on every block that may dilate (stride 1).
 */
export function withEveryDecision(config: SearchConfig): SearchConfig {
  const present = new Set<string>(config.space.decisions.map((d) => d.type));
  const strideOne = spaceFromConfig(config).template.blocks.flatMap((b, i) => (b.stride === 1 ? [i] : []));
  const added = EVERY_DECISION_TYPES.filter((type) => !present.has(type)).map((type): DecisionConfig =>
    type === 'dilation' ? { type, choices: EVERY_DECISION_DILATIONS, sites: strideOne } : { type },
  );
  return { ...config, name: `${config.name ?? 'config'} + every decision`, space: { ...config.space, decisions: [...config.space.decisions, ...added] } };
}

export function timeSupernetStep(
  space: SearchSpace,
  options: { batch?: number; steps?: number; warmup?: number; seed?: number; archEvery?: number } = {},
): SupernetStepTiming {
  const batch = options.batch ?? 64;
  const steps = options.steps ?? 3;
  const warmup = options.warmup ?? 1;
  const seed = options.seed ?? 0;
  const archEvery = options.archEvery ?? 1;
  const rng = createRng(seed);
  const { height, width, channels } = space.template.input;
  const x = tf.tensor4d(
    Float32Array.from({ length: batch * height * width * channels }, () => rng() * 2 - 1),
    [batch, height, width, channels],
  );
  const y = tf.tensor1d(
    Int32Array.from({ length: batch }, () => randomInt(rng, space.template.head.classes)),
    'int32',
  );
  const largest = largestArchitecture(space);
  const layout = supernetLayout(space);
  const optimizer = { type: 'adam' as const, lr: 1e-3, momentum: 0.9, weightDecay: 5e-4 };
  // One model at a time: a K = 5 supernet step alone fills most of wasm's 4 GB heap.
  const timeLargest = (): number => {
    const model = buildModel(largest, { seed });
    const trainer = createTrainer(model, { optimizer: 'adam', learningRate: 1e-3, weightDecay: 5e-4 });
    try {
      return medianMs(() => trainer.step(x, y), steps, warmup);
    } finally {
      trainer.dispose();
      model.dispose();
    }
  };
  try {
    const before = timeLargest();

    const supernet = new Supernet(layout, { seed });
    const alpha = new ArchitectureWeights(space);
    const bilevel = new BilevelTrainer(supernet, alpha, bopsCostModel(layout), NO_COST_TERM, {
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
    const after = timeLargest();
    const largestStepMs = (before + after) / 2;
    const shape = (v: readonly (string | number)[]) => (new Set(v).size === 1 ? String(v[0]) : v.join(','));
    return {
      space: space.name,
      batch,
      largest:
        `bases ${shape(largest.bases)} bits ${shape(largest.bits)} connections ${shape(largest.connections)} widths ${largest.widths.join(',')} ` +
        `dilations ${shape(largest.blocks.map((b) => b.dilation))}`,
      largestStepMs,
      largestStepMsRounds: [before, after],
      supernetWeightStepMs,
      supernetArchStepMs,
      weightStepRatio: supernetWeightStepMs / largestStepMs,
      archEvery,
      searchStepRatio: (supernetWeightStepMs + supernetArchStepMs / archEvery) / largestStepMs,
    };
  } finally {
    tf.dispose([x, y]);
  }
}

/** Whether a config's data set is on this machine (the search could run it); undefined = yes, else why not. */
export function missingData(config: SearchConfig): string | undefined {
  const data = config.data.dataset;
  if (data === 'embedded') return undefined;
  const dir = data === 'debian' ? DEBIAN_FASHION_MNIST_DIR : resolve(data);
  return existsSync(dir) ? undefined : `data set ${data} not found here`;
}

/** Config files a bench measures by default: every configs/*.json. */
export function benchConfigFiles(dir = join(PACKAGE_ROOT, 'configs')): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => join(dir, f));
}

export interface SupernetStepEntry {
  /** Config file name (and `+ every decision` for the derived space). */
  label: string;
  config: string;
  /** The config's own search batch size (the bench times every space at one batch). */
  searchBatch: number;
  timing?: SupernetStepTiming;
  /** Why the space was not measured. */
  skipped?: string;
}

export interface SupernetStepReport {
  backend: string;
  batch: number;
  entries: SupernetStepEntry[];
}

/**
 * `bench supernet-step`: the timing for each config's space (default: every configs/*.json, plus
 * the default config with every decision type) on the wasm backend (what training here runs on),
 * all at one batch size. Configs whose data set is absent are listed as skipped.
 */
export async function benchSupernetSteps(
  options: { configs?: string[]; everyDecision?: boolean; batch?: number; steps?: number; training?: TrainingKernelOptions } = {},
): Promise<SupernetStepReport> {
  await selectBackend('wasm', options.training);
  const batch = options.batch ?? 64;
  const files = options.configs ?? benchConfigFiles();
  const targets: { label: string; config: string; load: () => SearchConfig }[] = files.map((file) => ({
    label: basename(file, '.json'),
    config: file,
    load: () => loadConfig(file, []),
  }));
  if (options.everyDecision ?? options.configs === undefined) {
    targets.push({
      label: `${basename(DEFAULT_CONFIG_FILE, '.json')} + every decision`,
      config: DEFAULT_CONFIG_FILE,
      load: () => withEveryDecision(loadConfig(DEFAULT_CONFIG_FILE, [])),
    });
  }
  const entries: SupernetStepEntry[] = [];
  for (const target of targets) {
    const config = target.load();
    const base = { label: target.label, config: target.config, searchBatch: config.search.batchSize };
    const skipped = missingData(config);
    if (skipped !== undefined) entries.push({ ...base, skipped });
    else
      entries.push({
        ...base,
        timing: timeSupernetStep(spaceFromConfig(config), {
          batch,
          archEvery: config.search.archEvery,
          ...(options.steps !== undefined ? { steps: options.steps } : {}),
        }),
      });
  }
  return { backend: 'wasm', batch, entries };
}

const ms = (v: number) => v.toFixed(0).padStart(6);
const times = (v: number) => `${v.toFixed(2)}×`;

export function formatSupernetSteps(r: SupernetStepReport): string {
  const width = Math.max(5, ...r.entries.map((e) => e.label.length));
  const lines = [
    `supernet step vs a step of the largest architecture of each space, batch ${r.batch}, ${r.backend} (bound: weight step + α step / N ≤ 2×, one α ` +
      `step per N weight steps: the config's search.archEvery)`,
    `${'space'.padEnd(width)}  largest ms  weight ms        α ms  N   weight + α/N`,
  ];
  for (const e of r.entries) {
    const t = e.timing;
    if (t === undefined) {
      lines.push(`${e.label.padEnd(width)}  skipped: ${e.skipped}`);
      continue;
    }
    lines.push(
      `${e.label.padEnd(width)}      ${ms(t.largestStepMs)}  ${ms(t.supernetWeightStepMs)} ${times(t.weightStepRatio).padStart(6)}  ` +
        `${ms(t.supernetArchStepMs)}  ${String(t.archEvery).padStart(1)}   ${times(t.searchStepRatio).padStart(6)}`,
    );
  }
  for (const e of r.entries) {
    const t = e.timing;
    if (t === undefined) continue;
    const rounds = `${t.largestStepMsRounds.map((v) => v.toFixed(0)).join(' / ')} ms before / after the supernet`;
    lines.push(`  ${e.label}: largest = ${t.largest}, ${rounds}${e.searchBatch !== r.batch ? `; its search runs at batch ${e.searchBatch}` : ''}`);
  }
  return lines.join('\n');
}
