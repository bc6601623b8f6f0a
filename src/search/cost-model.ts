/**
 * The cost term's price list (DESIGN §4): for every block, its cost with K bases at b activation
 * bits, plus the constant rest of the network (stem, head). A network's cost is additive over its
 * blocks, so the expected cost under the architecture distribution is
 *
 *   E[cost] = constant + Σ_i Σ_s π_i(s) · Σ_{K,b} P_s(K)·P_s(b)·cost_i(K, b)
 *
 * (π_i(s): probability that block i's group starts at s; see structure-weights.ts), which is
 * differentiable in α and, for one-hot α, equals the derived architecture's cost.
 *
 * Prices come from `summarize` (BOPs) or from the kernels' latency look-up table measured on this
 * machine (latency in ms: each block's LUT entries, as `latencyEntriesOf` lists them).
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

export interface CostModel {
  metric: CostMetric;
  unit: string;
  /** Cost of everything outside the blocks. */
  constant: number;
  /** `perBlock[i][K−1][b]`: block i with K bases at `bitChoices[b]` bits. */
  perBlock: number[][][];
  bitChoices: ActivationBits[];
}

/** The template with every block its own group, K bases and `bits` bits everywhere (what a block costs does not depend on grouping). */
function uniformProbe(template: Arch, k: number, bits: ActivationBits): Arch {
  const draft = toDraft(template);
  draft.boundaries = draft.boundaries.map(() => 'aggregate');
  draft.blockBases = draft.blockBases.map(() => k);
  draft.blockBits = draft.blockBits.map(() => bits);
  return { ...template, ...fromDraft(draft) };
}

/** The probe cut after `blocks` blocks (latencyEntriesOf lists entries in block order, so block i's are the difference of two prefixes). */
function prefix(arch: Arch, blocks: number): Arch {
  return { ...arch, blocks: arch.blocks.slice(0, blocks), groups: arch.groups.slice(0, blocks), bases: arch.bases.slice(0, blocks), bits: arch.bits.slice(0, blocks), connections: arch.connections.slice(0, Math.max(0, blocks - 1)) };
}

function probes(layout: SupernetLayout): { k: number; b: number; arch: Arch }[] {
  const out: { k: number; b: number; arch: Arch }[] = [];
  for (let k = 1; k <= layout.kMax; k++) layout.bitChoices.forEach((bits, b) => out.push({ k, b, arch: uniformProbe(layout.template, k, bits) }));
  return out;
}

function emptyTable(layout: SupernetLayout): number[][][] {
  return Array.from({ length: layout.blockCount }, () => Array.from({ length: layout.kMax }, () => new Array<number>(layout.bitChoices.length).fill(0)));
}

/** BOPs (binary MACs × activation bits) per block, from `summarize`. */
export function bopsCostModel(layout: SupernetLayout): CostModel {
  const perBlock = emptyTable(layout);
  let constant = 0;
  for (const { k, b, arch } of probes(layout)) {
    const summary = summarize(arch);
    let blocks = 0;
    for (const layer of summary.layers) {
      if (layer.block === undefined) continue;
      perBlock[layer.block]![k - 1]![b]! += layer.bops;
      blocks += layer.bops;
    }
    constant = summary.totals.bops - blocks;
  }
  return { metric: 'bops', unit: 'BOPs', constant, perBlock, bitChoices: layout.bitChoices };
}

/** Every latency-table entry the space's architectures consist of (measure these before `latencyCostModel`). */
export function latencyEntriesOfSpace(layout: SupernetLayout): LatencyEntry[] {
  return probes(layout).flatMap(({ arch }) => latencyEntriesOf(arch));
}

/** Predicted batch-1 latency (ms) per block from a latency table measured on this machine. */
export function latencyCostModel(layout: SupernetLayout, table: LatencyTable): CostModel {
  const perBlock = emptyTable(layout);
  let constant = 0;
  const ms = (entries: LatencyEntry[]) => entries.reduce((sum, e) => sum + lookupLatency(table, e) * 1000, 0);
  for (const { k, b, arch } of probes(layout)) {
    let previous = latencyEntriesOf(prefix(arch, 0));
    constant = ms(previous);
    for (let i = 0; i < layout.blockCount; i++) {
      const entries = latencyEntriesOf(prefix(arch, i + 1));
      perBlock[i]![k - 1]![b] = ms(entries.slice(previous.length));
      previous = entries;
    }
  }
  return { metric: 'latency', unit: 'ms', constant, perBlock, bitChoices: layout.bitChoices };
}

/** E[cost] as a scalar tensor, differentiable in α (untidied: call inside the caller's tidy). */
export function expectedCost(model: CostModel, weights: StructureWeights): tf.Scalar {
  const terms: tf.Scalar[] = [tf.scalar(model.constant)];
  model.perBlock.forEach((table, i) => {
    const prices = tf.tensor2d(table);
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
    for (let i = g.start; i < g.end; i++) total += model.perBlock[i]![arch.bases[gi]! - 1]![b]!;
  });
  return total;
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
