/**
 * The cost term's price list (DESIGN §4): for every block, its cost with K bases at b activation
 * bits and each of its *shapes* (the widths of its input and its stage, its dilation, and the
 * block it builds where a mixed op builds it once per choice — where the space decides them);
 * for every group boundary, the cost of each connection (aggregate, soft)
 * from a group of K bases into one of K′, in each width of its maps; plus the constant rest of the
 * network. A network's cost is additive over its blocks and boundaries, a block's cost depends only
 * on its own settings and a connection's only on its kind, the two groups' K and its stage's width,
 * so the expected cost under the architecture distribution (independent variables) is
 *
 *   E[cost] = constant + Σ_i Σ_s π_i(s) · Σ_{K,b,j} P_s(K)·P_s(b)·P_i(j)·cost_i(K, b, j)
 *                      + Σ_i Σ_{c ∈ aggregate, soft} P_i(c) · Σ_{K,K′,j} P_i(K)·P_{i+1}(K′)·P_i(j)·conn_i(c, K, K′, j)
 *
 * (π_i(s): probability that block i's group starts at s, see structure-weights.ts; P_i(j): the
 * product of the width, dilation and branch probabilities of shape j; P_i(K): the K block i runs with,
 * independent of boundary i; P_{i+1}(K′): the K of a group starting after it), which is
 * differentiable in α and, for one-hot α, equals the derived architecture's cost.
 *
 * Prices come from `summarize` (BOPs; connections are float work, 0 BOPs) or from the kernels'
 * latency look-up table measured on this machine (latency in ms: the LUT entries of
 * `latencyItemsOf`; the stem is priced with block 0, whose bits decide the stem's ReLU, and the
 * head with the last block, whose K and width it depends on; the table is keyed by channels and
 * dilation, so every width and dilation choice is priced by its own entry). BPAC rate lists
 * (`baseDilations`) are priced as the block's own dilation: each base's conv does the same work at
 * any rate, which is BPAC's point (multi-scale context at Group-Net's cost).
 */
import * as tf from '../util/tfjs.js';
import { blockOutputShapes, connectionEntry, latencyEntriesOf, latencyItemsOf, type LatencyItem } from '../kernels/arch-latency.js';
import type { BinaryEngine } from '../kernels/engine.js';
import { createEngine, type EngineChoice } from '../kernels/engines.js';
import { busyEntries, lookupLatency, measureLatencyTable, type LatencyEntry, type LatencyTable } from '../kernels/latency-table.js';
import type { ActivationBits, Arch, Connection } from '../space/arch.js';
import { fromDraft, toDraft } from '../space/draft.js';
import { summarize } from '../space/summary.js';
import type { StructureWeights } from './structure-weights.js';
import { BOUNDARY_KINDS, branchOfBlock, groupCanStart, type BlockBranches, type SupernetLayout } from './supernet-layout.js';

export type CostMetric = 'bops' | 'latency';

/** One factor of a block's shape: a stage's width, a block's dilation or the branch a mixed op builds there, over its choices. */
export interface ShapeAxis {
  kind: 'width' | 'dilation' | 'branch';
  /** Stage (width) or block (dilation, branch). */
  site: number;
  /** Channels, rates, or branch indices (`layout.branches[site].specs`). */
  values: number[];
}

/** The connections a group boundary can price (continuing a group costs nothing). */
export const CONNECTION_KINDS: readonly Connection[] = ['aggregate', 'soft'];

/** What the connection after one block costs. */
export interface BoundaryPrices {
  /** `prices[c][K−1][K′−1][j]`: connection `CONNECTION_KINDS[c]` from K bases into K′ bases, maps in shape j of `shapes`. */
  prices: number[][][][];
  /** The connection's maps' width: the block's stage width, where the space decides it (empty: one shape). */
  shapes: ShapeAxis[];
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
  /** `perBoundary[i]`: the connection after block i; undefined where it is free (no group can start after i, or the metric does not price connections). */
  perBoundary: (BoundaryPrices | undefined)[];
  /** Per block: the blocks a mixed op builds there (which tells an architecture's branch), undefined where it has none. */
  branches: (BlockBranches | undefined)[];
  bitChoices: ActivationBits[];
}

/** The axes block i's cost varies along: the previous stage's width (first block of a stage), its own stage's width, its dilation, its branch. */
function shapeAxes(layout: SupernetLayout, i: number): ShapeAxis[] {
  const blocks = layout.template.blocks;
  const stage = blocks[i]!.stage;
  const axes: ShapeAxis[] = [];
  const width = (s: number) => ({ kind: 'width' as const, site: s, values: layout.widths[s]!.support });
  if (i > 0 && blocks[i - 1]!.stage !== stage && layout.widths[blocks[i - 1]!.stage]!.support.length > 1) axes.push(width(blocks[i - 1]!.stage));
  if (layout.widths[stage]!.support.length > 1) axes.push(width(stage));
  if (layout.dilations[i]!.support.length > 1) axes.push({ kind: 'dilation', site: i, values: layout.dilations[i]!.support });
  const branches = layout.branches[i]?.specs.length ?? 1;
  if (branches > 1) axes.push({ kind: 'branch', site: i, values: Array.from({ length: branches }, (_, b) => b) });
  return axes;
}

function shapeCount(axes: ShapeAxis[]): number {
  return axes.reduce((n, a) => n * a.values.length, 1);
}

/** The value an axis takes in `arch`: its stage's width, its block's dilation or its block's branch. */
function axisValue(branches: readonly (BlockBranches | undefined)[], a: ShapeAxis, arch: Arch): number {
  switch (a.kind) {
    case 'width':
      return arch.widths[a.site]!;
    case 'dilation':
      return arch.blocks[a.site]!.dilation;
    case 'branch':
      return branchOfBlock(branches[a.site], a.site, arch.blocks[a.site]!)!;
  }
}

/** An axis's distribution under the structure weights (untidied). */
function axisDistribution(a: ShapeAxis, weights: StructureWeights): tf.Tensor1D {
  switch (a.kind) {
    case 'width':
      return weights.stageWidths[a.site]!;
    case 'dilation':
      return weights.blockDilations[a.site]!;
    case 'branch':
      return weights.blockBranches[a.site]!;
  }
}

/** Shape index of block i in `arch` (mixed radix over its axes). */
function shapeIndex(branches: readonly (BlockBranches | undefined)[], axes: ShapeAxis[], arch: Arch): number {
  return axes.reduce((j, a) => {
    const value = axisValue(branches, a, arch);
    const v = a.values.indexOf(value);
    if (v < 0) throw new Error(`cost model: ${a.kind} ${value} at ${a.site} is not one of ${a.values.join(', ')}`);
    return j * a.values.length + v;
  }, 0);
}

/** Every combination of one width per stage. */
function widthSets(layout: SupernetLayout): number[][] {
  let sets: number[][] = [[]];
  for (const w of layout.widths) sets = sets.flatMap((set) => w.support.map((v) => [...set, v]));
  return sets;
}

/** Block i's own choices (its dilations × its branches), combined: round t takes combination t (its last where it has fewer). */
function localChoices(layout: SupernetLayout, i: number): number {
  return layout.dilations[i]!.support.length * (layout.branches[i]?.specs.length ?? 1);
}

/**
 * The template with every block its own group, K bases and `bits` everywhere, these stage widths
 * and every block's t-th combination of a dilation and a branch (its last where it has fewer).
 */
function probeArch(layout: SupernetLayout, k: number, bits: ActivationBits, widths: number[], t: number): Arch {
  const draft = toDraft(layout.template);
  draft.boundaries = draft.boundaries.map(() => 'aggregate');
  draft.blockBases = draft.blockBases.map(() => k);
  draft.blockBits = draft.blockBits.map(() => bits);
  draft.widths = [...widths];
  draft.blocks = draft.blocks.map((block, i) => {
    const rates = layout.dilations[i]!.support;
    const specs = layout.branches[i]?.specs ?? [block];
    const c = Math.min(t, localChoices(layout, i) - 1);
    const spec = specs[c % specs.length]!;
    return { ...spec, dilation: rates.length > 1 ? rates[Math.floor(c / specs.length)]! : spec.dilation };
  });
  return { ...layout.template, ...fromDraft(draft) };
}

/**
 * Probe architectures covering every (K, bits, shape) of every block: every block its own group
 * (a block's cost does not depend on grouping) with K bases and `bits` everywhere, over every
 * combination of stage widths and every t-th dilation and branch at once (blocks' costs are separate).
 */
function probes(layout: SupernetLayout): { k: number; b: number; arch: Arch }[] {
  const dilationRounds = Math.max(...layout.template.blocks.map((_, i) => localChoices(layout, i)));
  const out: { k: number; b: number; arch: Arch }[] = [];
  for (let k = 1; k <= layout.kMax; k++) {
    layout.bitChoices.forEach((bits, b) => {
      for (const widths of widthSets(layout)) {
        for (let t = 0; t < dilationRounds; t++) out.push({ k, b, arch: probeArch(layout, k, bits, widths, t) });
      }
    });
  }
  return out;
}

/** The width axis of the maps after block i: its stage's width, where the space decides it. */
function boundaryAxes(layout: SupernetLayout, i: number): ShapeAxis[] {
  const stage = layout.template.blocks[i]!.stage;
  return layout.widths[stage]!.support.length > 1 ? [{ kind: 'width', site: stage, values: layout.widths[stage]!.support }] : [];
}

/**
 * Price every connection the space can make, by `price(kind, from, to, shape)` on the maps after
 * each block (their shape read from one probe per combination of stage widths).
 */
function boundaryTable(
  layout: SupernetLayout,
  price: (kind: Connection, from: number, to: number, shape: [number, number, number]) => number,
): (BoundaryPrices | undefined)[] {
  const n = layout.blockCount;
  const table: (BoundaryPrices | undefined)[] = Array.from({ length: n }, (_, i) => {
    if (i === n - 1 || !groupCanStart(layout, i + 1)) return undefined;
    const shapes = boundaryAxes(layout, i);
    const size = shapeCount(shapes);
    return {
      shapes,
      prices: CONNECTION_KINDS.map(() => Array.from({ length: layout.kMax }, () => Array.from({ length: layout.kMax }, () => new Array<number>(size).fill(0)))),
    };
  });
  for (const widths of widthSets(layout)) {
    const arch = probeArch(layout, 1, layout.bitChoices[0]!, widths, 0);
    const outputs = blockOutputShapes(arch);
    table.forEach((boundary, i) => {
      if (!boundary) return;
      const j = shapeIndex(layout.branches, boundary.shapes, arch);
      CONNECTION_KINDS.forEach((kind, c) => {
        boundary.prices[c]!.forEach((row, from) => row.forEach((cell, to) => (cell[j] = price(kind, from + 1, to + 1, outputs[i]!))));
      });
    });
  }
  return table;
}

/** Fill the price table from per-layer prices of every probe (`layerPrices` lists [block or undefined, price] per priced layer). */
function priceTable(
  layout: SupernetLayout,
  metric: CostMetric,
  unit: string,
  layerPrices: (arch: Arch) => [number | undefined, number][],
  perBoundary: (BoundaryPrices | undefined)[] = layout.template.blocks.map(() => undefined),
): CostModel {
  const shapes = layout.template.blocks.map((_, i) => shapeAxes(layout, i));
  const perBlock = shapes.map((axes) =>
    Array.from({ length: layout.kMax }, () => Array.from({ length: layout.bitChoices.length }, () => new Array<number>(shapeCount(axes)).fill(0))),
  );
  let constant = 0;
  for (const { k, b, arch } of probes(layout)) {
    const blockCost = new Array<number>(layout.blockCount).fill(0);
    let rest = 0;
    for (const [block, price] of layerPrices(arch)) {
      if (block === undefined) rest += price;
      else blockCost[block]! += price;
    }
    constant = rest;
    blockCost.forEach((c, i) => (perBlock[i]![k - 1]![b]![shapeIndex(layout.branches, shapes[i]!, arch)] = c));
  }
  return { metric, unit, constant, perBlock, shapes, perBoundary, branches: layout.branches, bitChoices: layout.bitChoices };
}

/** BOPs (binary MACs × activation bits) per block, from `summarize`. */
export function bopsCostModel(layout: SupernetLayout): CostModel {
  return priceTable(layout, 'bops', 'BOPs', (arch) => summarize(arch).layers.map((layer) => [layer.block, layer.bops]));
}

/** Every connection entry the space can need: each kind, K → K′ and width after every block. */
function connectionEntriesOfSpace(layout: SupernetLayout): LatencyEntry[] {
  const entries: LatencyEntry[] = [];
  boundaryTable(layout, (kind, from, to, shape) => {
    const entry = connectionEntry(kind, from, to, shape);
    if (entry) entries.push(entry);
    return 0;
  });
  return entries;
}

/** Every latency-table entry the space's architectures consist of (measure these before `latencyCostModel`). */
export function latencyEntriesOfSpace(layout: SupernetLayout): LatencyEntry[] {
  return [...probes(layout).flatMap(({ arch }) => latencyEntriesOf(arch)), ...connectionEntriesOfSpace(layout)];
}

/** Predicted batch-1 latency (ms) per block and per connection from a latency table measured on this machine. */
export function latencyCostModel(layout: SupernetLayout, table: LatencyTable): CostModel {
  const ms = (entry: LatencyEntry) => lookupLatency(table, entry) * 1000;
  const last = layout.blockCount - 1;
  const perBoundary = boundaryTable(layout, (kind, from, to, shape) => {
    const entry = connectionEntry(kind, from, to, shape);
    return entry ? ms(entry) : 0;
  });
  // Connections are priced per boundary above; the stem goes with block 0, the head with the last block.
  const owner = (item: LatencyItem): number | null =>
    item.place.part === 'block' ? item.place.block : item.place.part === 'stem' ? 0 : item.place.part === 'head' ? last : null;
  return priceTable(
    layout,
    'latency',
    'ms',
    (arch) =>
      latencyItemsOf(arch).flatMap((item): [number, number][] => {
        const block = owner(item);
        return block === null ? [] : [[block, ms(item.entry)]];
      }),
    perBoundary,
  );
}

/** Σ over the variables of block i's shape of their product distribution, [J] (untidied). */
function shapeDistribution(axes: ShapeAxis[], weights: StructureWeights): tf.Tensor1D {
  let p: tf.Tensor1D = tf.ones([1]);
  for (const a of axes) {
    const q = axisDistribution(a, weights);
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
    const prices =
      shapes.length === 0
        ? tf.reshape(flat, [kCount, bCount])
        : tf.reshape(tf.matMul(flat, tf.reshape(shapeDistribution(shapes, weights), [-1, 1])), [kCount, bCount]);
    weights.startProbabilities[i]!.forEach((p, s) => {
      if (p === undefined) return;
      const k = tf.reshape(weights.groupBases[s]!, [1, -1]);
      const bits = tf.reshape(weights.groupBits[s]!, [-1, 1]);
      terms.push(tf.mul(p, tf.squeeze(tf.matMul(tf.matMul(k, prices), bits))) as tf.Scalar);
    });
  });
  model.perBoundary.forEach((boundary, i) => {
    if (!boundary) return;
    // P_i(K)·P_{i+1}(K′) by broadcasting, not as matMul(·, to): the supernet's soft connection already
    // passes groupBases[i+1] to matMul as `b` in another shape, and tfjs-backend-wasm 4.22 then reuses
    // the operator it built for that data and writes out of bounds (the α step crashed).
    const pairs = tf.mul(tf.reshape(weights.blockBases[i]!, [-1, 1]), tf.reshape(weights.groupBases[i + 1]!, [1, -1]));
    const shape = boundary.shapes.length === 0 ? undefined : tf.reshape(shapeDistribution(boundary.shapes, weights), [-1, 1]);
    CONNECTION_KINDS.forEach((kind, c) => {
      const table = boundary.prices[c]!;
      const flat = tf.tensor2d(table.flat(), [table.length * table.length, shapeCount(boundary.shapes)]);
      const prices = tf.reshape(shape ? tf.matMul(flat, shape) : flat, [table.length, table.length]);
      const p = tf.squeeze(tf.slice(weights.boundaries[i]!, [BOUNDARY_KINDS.indexOf(kind)], [1])) as tf.Scalar;
      terms.push(tf.mul(p, tf.sum(tf.mul(pairs, prices))) as tf.Scalar);
    });
  });
  return tf.addN(terms) as tf.Scalar;
}

/** The cost of a discrete architecture by the same price list (equals `expectedCost` at one-hot α). */
export function archCost(model: CostModel, arch: Arch): number {
  let total = model.constant;
  arch.groups.forEach((g, gi) => {
    const b = model.bitChoices.indexOf(arch.bits[gi]!);
    for (let i = g.start; i < g.end; i++) total += model.perBlock[i]![arch.bases[gi]! - 1]![b]![shapeIndex(model.branches, model.shapes[i]!, arch)]!;
    const boundary = gi < arch.groups.length - 1 ? model.perBoundary[g.end - 1] : undefined;
    if (boundary)
      total +=
        boundary.prices[CONNECTION_KINDS.indexOf(arch.connections[gi]!)]![arch.bases[gi]! - 1]![arch.bases[gi + 1]! - 1]![
          shapeIndex(model.branches, boundary.shapes, arch)
        ]!;
  });
  return total;
}

/**
 * The cheapest and dearest cost the price list allows (each block and boundary at its own extreme:
 * a bound, not always an architecture; continuing a group costs 0).
 */
export function costBounds(model: CostModel): { min: number; max: number } {
  const sum = (pick: (prices: number[]) => number) => model.constant + model.perBlock.reduce((total, table) => total + pick(table.flat(2)), 0);
  const connections = model.perBoundary.reduce((total, boundary) => total + (boundary ? Math.max(...boundary.prices.flat(3)) : 0), 0);
  return { min: sum((p) => Math.min(...p)), max: sum((p) => Math.max(...p)) + connections };
}

export interface PriceOptions {
  /** Engine whose measured latencies price the `latency` metric (default: the fastest available). */
  engine?: EngineChoice;
  /** Latency cache directory (default: the kernels' per-machine cache); `null` = measure afresh, keep nothing. */
  cacheDir?: string | null;
  onProgress?: (done: number, total: number) => void;
  /** Told when entries of the latency table were timed on a busy machine (their times may be inflated). */
  warn?: (line: string) => void;
  /** Calibrates the measured table on whole models before it prices (space-calibration.ts); absent: the table as timed. */
  calibrate?: (table: LatencyTable, engine: BinaryEngine) => LatencyTable;
}

/** The cost model for a metric: BOPs from `summarize`, or latency from the LUT measured (or cached) on this machine. */
export function costModelFor(layout: SupernetLayout, metric: CostMetric, options: PriceOptions = {}): CostModel {
  if (metric === 'bops') return bopsCostModel(layout);
  const engine = createEngine(options.engine ?? 'auto');
  const table = measureLatencyTable(latencyEntriesOfSpace(layout), engine, {
    ...(options.cacheDir !== undefined ? { cacheDir: options.cacheDir } : {}),
    ...(options.onProgress ? { onProgress: (done: number, total: number) => options.onProgress!(done, total) } : {}),
  });
  const busy = busyEntries(table);
  if (busy.count > 0) {
    options.warn?.(
      `latency table: ${busy.count} of ${table.measurements.size} entries were timed while other processes kept up to ${(busy.worstLoad * 100).toFixed(0)}% of the other cores busy; ` +
        'their times may be inflated (they are timed again when the machine is quiet)',
    );
  }
  return latencyCostModel(layout, options.calibrate ? options.calibrate(table, engine) : table);
}
