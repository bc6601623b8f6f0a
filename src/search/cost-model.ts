/**
 * The cost term's price list (DESIGN §4): for every block, its cost with K bases at b activation
 * bits and each of its *shapes* (the widths of its input and its stage, its dilation, where the
 * space decides them), plus the constant rest of the network (stem). A network's cost is additive
 * over its blocks and a block's cost depends only on its own settings, so the expected cost under
 * the architecture distribution (independent variables) is
 *
 *   E[cost] = constant + Σ_i Σ_s π_i(s) · Σ_{K,b,j} P_s(K)·P_s(b)·P_i(j)·cost_i(K, b, j)
 *
 * (π_i(s): probability that block i's group starts at s, see structure-weights.ts; P_i(j): the
 * product of the width and dilation probabilities of shape j), which is differentiable in α and,
 * for one-hot α, equals the derived architecture's cost.
 *
 * Prices come from `summarize` (BOPs) or from the kernels' latency look-up table measured on this
 * machine (latency in ms: each block's LUT entries, as `latencyEntriesOf` lists them; the table is
 * keyed by channels and dilation, so every width and dilation choice is priced by its own entry).
 */
import * as tf from '@tensorflow/tfjs';
import { latencyEntriesOf } from '../kernels/arch-latency.js';
import { createEngine, type EngineChoice } from '../kernels/engines.js';
import { lookupLatency, measureLatencyTable, type LatencyEntry, type LatencyTable } from '../kernels/latency-table.js';
import type { ActivationBits, Arch } from '../space/arch.js';
import { fromDraft, toDraft } from '../space/draft.js';
import { summarize } from '../space/summary.js';
import type { StructureWeights } from './structure-weights.js';
import type { SupernetLayout } from './supernet-layout.js';

export type CostMetric = 'bops' | 'latency';

/** One factor of a block's shape: a stage's width or a block's dilation, over its choices. */
export interface ShapeAxis {
  kind: 'width' | 'dilation';
  /** Stage (width) or block (dilation). */
  site: number;
  values: number[];
}

export interface CostModel {
  metric: CostMetric;
  unit: string;
  /** Cost of everything outside the blocks. */
  constant: number;
  /** `perBlock[i][K−1][b][j]`: block i with K bases at `bitChoices[b]` bits in shape j (mixed radix over `shapes[i]`, first axis slowest). */
  perBlock: number[][][][];
  /** `shapes[i]`: what block i's cost depends on besides K and bits (empty: one shape). */
  shapes: ShapeAxis[][];
  bitChoices: ActivationBits[];
}

/** The axes block i's cost varies along: the previous stage's width (first block of a stage), its own stage's width, its dilation. */
function shapeAxes(layout: SupernetLayout, i: number): ShapeAxis[] {
  const blocks = layout.template.blocks;
  const stage = blocks[i]!.stage;
  const axes: ShapeAxis[] = [];
  const width = (s: number) => ({ kind: 'width' as const, site: s, values: layout.widths[s]!.support });
  if (i > 0 && blocks[i - 1]!.stage !== stage && layout.widths[blocks[i - 1]!.stage]!.support.length > 1) axes.push(width(blocks[i - 1]!.stage));
  if (layout.widths[stage]!.support.length > 1) axes.push(width(stage));
  if (layout.dilations[i]!.support.length > 1) axes.push({ kind: 'dilation', site: i, values: layout.dilations[i]!.support });
  return axes;
}

function shapeCount(axes: ShapeAxis[]): number {
  return axes.reduce((n, a) => n * a.values.length, 1);
}

/** Shape index of block i in `arch` (mixed radix over its axes). */
function shapeIndex(axes: ShapeAxis[], arch: Arch): number {
  return axes.reduce((j, a) => {
    const value = a.kind === 'width' ? arch.widths[a.site]! : arch.blocks[a.site]!.dilation;
    const v = a.values.indexOf(value);
    if (v < 0) throw new Error(`cost model: ${a.kind} ${value} at ${a.site} is not one of ${a.values.join(', ')}`);
    return j * a.values.length + v;
  }, 0);
}

/**
 * Probe architectures covering every (K, bits, shape) of every block: every block its own group
 * (a block's cost does not depend on grouping) with K bases and `bits` everywhere, over every
 * combination of stage widths and every t-th dilation choice at once (blocks' costs are separate).
 */
function probes(layout: SupernetLayout): { k: number; b: number; arch: Arch }[] {
  const draft = toDraft(layout.template);
  draft.boundaries = draft.boundaries.map(() => 'aggregate');
  let widthSets: number[][] = [[]];
  for (const w of layout.widths) widthSets = widthSets.flatMap((set) => w.support.map((v) => [...set, v]));
  const dilationRounds = Math.max(...layout.dilations.map((d) => d.support.length));
  const out: { k: number; b: number; arch: Arch }[] = [];
  for (let k = 1; k <= layout.kMax; k++) {
    layout.bitChoices.forEach((bits, b) => {
      for (const widths of widthSets) {
        for (let t = 0; t < dilationRounds; t++) {
          draft.blockBases = draft.blockBases.map(() => k);
          draft.blockBits = draft.blockBits.map(() => bits);
          draft.widths = [...widths];
          draft.blocks = draft.blocks.map((block, i) => ({ ...block, dilation: layout.dilations[i]!.support[Math.min(t, layout.dilations[i]!.support.length - 1)]! }));
          out.push({ k, b, arch: { ...layout.template, ...fromDraft(draft) } });
        }
      }
    });
  }
  return out;
}

/** Fill the price table from per-layer prices of every probe (`layerPrices` lists [block or undefined, price] per priced layer). */
function priceTable(layout: SupernetLayout, metric: CostMetric, unit: string, layerPrices: (arch: Arch) => [number | undefined, number][]): CostModel {
  const shapes = layout.template.blocks.map((_, i) => shapeAxes(layout, i));
  const perBlock = shapes.map((axes) => Array.from({ length: layout.kMax }, () => Array.from({ length: layout.bitChoices.length }, () => new Array<number>(shapeCount(axes)).fill(0))));
  let constant = 0;
  for (const { k, b, arch } of probes(layout)) {
    const blockCost = new Array<number>(layout.blockCount).fill(0);
    let rest = 0;
    for (const [block, price] of layerPrices(arch)) {
      if (block === undefined) rest += price;
      else blockCost[block]! += price;
    }
    constant = rest;
    blockCost.forEach((c, i) => (perBlock[i]![k - 1]![b]![shapeIndex(shapes[i]!, arch)] = c));
  }
  return { metric, unit, constant, perBlock, shapes, bitChoices: layout.bitChoices };
}

/** BOPs (binary MACs × activation bits) per block, from `summarize`. */
export function bopsCostModel(layout: SupernetLayout): CostModel {
  return priceTable(layout, 'bops', 'BOPs', (arch) => summarize(arch).layers.map((layer) => [layer.block, layer.bops]));
}

/** Every latency-table entry the space's architectures consist of (measure these before `latencyCostModel`). */
export function latencyEntriesOfSpace(layout: SupernetLayout): LatencyEntry[] {
  return probes(layout).flatMap(({ arch }) => latencyEntriesOf(arch));
}

/** Predicted batch-1 latency (ms) per block from a latency table measured on this machine. */
export function latencyCostModel(layout: SupernetLayout, table: LatencyTable): CostModel {
  return priceTable(layout, 'latency', 'ms', (arch) => {
    // latencyEntriesOf lists one entry per conv layer of `summarize`, in its order.
    const convs = summarize(arch).layers.filter((layer) => layer.kind === 'conv');
    return latencyEntriesOf(arch).map((entry, n) => [convs[n]!.block, lookupLatency(table, entry) * 1000]);
  });
}

/** Σ over the variables of block i's shape of their product distribution, [J] (untidied). */
function shapeDistribution(axes: ShapeAxis[], weights: StructureWeights): tf.Tensor1D {
  let p: tf.Tensor1D = tf.ones([1]);
  for (const a of axes) {
    const q = a.kind === 'width' ? weights.stageWidths[a.site]! : weights.blockDilations[a.site]!;
    p = tf.reshape(tf.mul(tf.reshape(p, [-1, 1]), tf.reshape(q, [1, -1])), [-1]) as tf.Tensor1D;
  }
  return p;
}

/** E[cost] as a scalar tensor, differentiable in α (untidied: call inside the caller's tidy). */
export function expectedCost(model: CostModel, weights: StructureWeights): tf.Scalar {
  const terms: tf.Scalar[] = [tf.scalar(model.constant)];
  model.perBlock.forEach((table, i) => {
    const kCount = table.length;
    const bCount = table[0]!.length;
    const shapes = model.shapes[i]!;
    const flat = tf.tensor2d(table.flat(), [kCount * bCount, shapeCount(shapes)]);
    const prices = shapes.length === 0 ? tf.reshape(flat, [kCount, bCount]) : tf.reshape(tf.matMul(flat, tf.reshape(shapeDistribution(shapes, weights), [-1, 1])), [kCount, bCount]);
    weights.startProbabilities[i]!.forEach((p, s) => {
      if (p === undefined) return;
      const k = tf.reshape(weights.groupBases[s]!, [1, -1]);
      const bits = tf.reshape(weights.groupBits[s]!, [-1, 1]);
      terms.push(tf.mul(p, tf.squeeze(tf.matMul(tf.matMul(k, prices), bits))) as tf.Scalar);
    });
  });
  return tf.addN(terms) as tf.Scalar;
}

/** The cost of a discrete architecture by the same price list (equals `expectedCost` at one-hot α). */
export function archCost(model: CostModel, arch: Arch): number {
  let total = model.constant;
  arch.groups.forEach((g, gi) => {
    const b = model.bitChoices.indexOf(arch.bits[gi]!);
    for (let i = g.start; i < g.end; i++) total += model.perBlock[i]![arch.bases[gi]! - 1]![b]![shapeIndex(model.shapes[i]!, arch)]!;
  });
  return total;
}

/** The cheapest and dearest cost the price list allows (each block at its own extreme: a bound, not always an architecture). */
export function costBounds(model: CostModel): { min: number; max: number } {
  const sum = (pick: (prices: number[]) => number) => model.constant + model.perBlock.reduce((total, table) => total + pick(table.flat(2)), 0);
  return { min: sum((p) => Math.min(...p)), max: sum((p) => Math.max(...p)) };
}

export interface PriceOptions {
  /** Engine whose measured latencies price the `latency` metric (default: the fastest available). */
  engine?: EngineChoice;
  /** Latency cache directory (default: the kernels' per-machine cache); `null` = measure afresh, keep nothing. */
  cacheDir?: string | null;
  onProgress?: (done: number, total: number) => void;
}

/** The cost model for a metric: BOPs from `summarize`, or latency from the LUT measured (or cached) on this machine. */
export function costModelFor(layout: SupernetLayout, metric: CostMetric, options: PriceOptions = {}): CostModel {
  if (metric === 'bops') return bopsCostModel(layout);
  const engine = createEngine(options.engine ?? 'auto');
  const table = measureLatencyTable(latencyEntriesOfSpace(layout), engine, {
    ...(options.cacheDir !== undefined ? { cacheDir: options.cacheDir } : {}),
    ...(options.onProgress ? { onProgress: (done: number, total: number) => options.onProgress!(done, total) } : {}),
  });
  return latencyCostModel(layout, table);
}
