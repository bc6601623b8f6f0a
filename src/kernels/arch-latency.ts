/**
 * The latency-table entries an architecture consists of: everything the packed engine
 * (packed-model.ts) runs for it at batch 1, walked in the same order —
 *
 * - stem: float conv, BatchNorm, ReLU (unless the first group is 1-bit), max-pool;
 * - per block and path: its convs (one entry per conv layer, with the K bases that run it — K
 *   paths under group decomposition, each quantizing its own input, or K convs of one quantized
 *   input under LBD — and where their outputs go: a new map, the LBD sum, the residual map), its
 *   shortcut (a copy of the input, or avg-pool → 1×1 conv → BN), the residual adds the conv
 *   accumulation does not absorb (LBD), and BN/ReLU/add of full-precision units;
 * - per group boundary: the connection between bases (aggregate: Σ λ_k out_k; soft: the K'×K mix);
 * - head: the last group's aggregation, global average pool and classifier (segmentation: the FCN
 *   head's classifiers and up-sampling).
 * Under BPAC a layer's bases are priced at their own rates (one entry per distinct rate).
 *
 * Conv layers and block shapes come from src/space's `summarize` — the one walk of an arch — so
 * the priced convs are exactly the ones the cost accounting reports. Each item says where it sits
 * (stem, block, connection after a block, head) so the search can attribute it.
 * Summing the measured latencies (each × the table's whole-model factor, latency-calibration.ts)
 * predicts the model's latency; `groupnas bench kernels` prints that prediction beside the measured
 * whole-model time and `groupnas bench latency-predictor` scores it over a space's models.
 */
import type { ActivationBits, Arch, ArchBlock, Connection } from '../space/arch.js';
import { fcnSkipBlock } from '../space/segmentation-backbone.js';
import { summarize, type LayerSummary, type Shape3 } from '../space/summary.js';
import { isConvEntry, lookupLatency, type ConvEntry, type ConvOutput, type LatencyEntry, type LatencyTable, type MapEntry } from './latency-table.js';
import { convBasesOf, pathsOf } from './model-layout.js';

/** Where a piece of work sits in the model. */
export type LatencyPlace =
  | { part: 'stem' }
  | { part: 'block'; block: number }
  /** The connection between the group that ends with `block` and the next group. */
  | { part: 'connection'; block: number }
  /** The last group's aggregation, global pool and classifier. */
  | { part: 'head' };

export interface LatencyItem {
  entry: LatencyEntry;
  place: LatencyPlace;
}

/**
 * The connection between `from` bases and `to` bases at a group boundary on h×w×c maps, as the
 * packed engine runs it; undefined where it is free (one base aggregated, or one to one).
 */
export function connectionEntry(connection: Connection, from: number, to: number, [h, w, c]: Shape3): LatencyEntry | undefined {
  if (connection === 'aggregate') return from === 1 ? undefined : { op: 'mix', h, w, c, from, to: 1 };
  return from === 1 && to === 1 ? undefined : { op: 'mix', h, w, c, from, to };
}

/** A layer's conv entries: one, or under BPAC one per distinct rate of its bases (each with the bases at that rate). */
function convEntries(layer: LayerSummary, bases: number, output: ConvOutput): ConvEntry[] {
  const rates = layer.baseDilations;
  if (rates === undefined || bases === 1) return [convEntry(layer, bases, output)];
  const counts = new Map<number, number>();
  for (const r of rates) counts.set(r, (counts.get(r) ?? 0) + 1);
  return [...counts].map(([dilation, n]) => ({ ...convEntry(layer, n, output), dilation }));
}

function convEntry(layer: LayerSummary, bases: number, output: ConvOutput = 'new'): ConvEntry {
  const [h, w, inChannels] = layer.inputShape;
  const outChannels = layer.outputShape[2];
  const kernel = layer.kernel ?? 1;
  const bits = layer.bits as ActivationBits;
  // A projection shortcut average-pools first (stride), then runs a 1×1 conv at the output size.
  if (layer.name.endsWith('.shortcut'))
    return { h: layer.outputShape[0], w: layer.outputShape[1], inChannels, outChannels, kernel, stride: 1, dilation: 1, bits, bases };
  // One base summing: the same work as one base writing a new map.
  const form = output === 'sum' && bases === 1 ? 'new' : output;
  return {
    h,
    w,
    inChannels,
    outChannels,
    kernel,
    stride: layer.stride ?? 1,
    dilation: layer.dilation ?? 1,
    bits,
    bases,
    ...(form !== 'new' ? { output: form } : {}),
  };
}

/**
 * Where the convs of unit u (of `units`) of a `kind` block in group g write (packed-model.ts binaryUnit): an LBD
 * layer sums its K convs into a new map (its residual added after: an `add` entry); a binary unit
 * that adds the residual adds each base's conv into that map; anything else writes a new one.
 */
function convOutput(arch: Arch, g: number, kind: ArchBlock['kind'], u: number, units: number): ConvOutput {
  if (arch.bits[g] === 32) return 'new';
  if (convBasesOf(arch, g) > 1) return 'sum';
  return addsResidual(kind, u, units) ? 'add' : 'new';
}

/** Whether unit u (of `units`) adds the block's residual: basic blocks both units, bottlenecks the last, plain blocks none. */
function addsResidual(kind: ArchBlock['kind'], u: number, units: number): boolean {
  return kind === 'basic' || (kind === 'bottleneck' && u === units - 1);
}

function mapEntry(op: MapEntry['op'], [h, w, c]: Shape3): MapEntry {
  return { op, h, w, c };
}

/** The output map (h, w, c) of every block: where the connections after it run. */
export function blockOutputShapes(arch: Arch): Shape3[] {
  return blockMaps(
    arch,
    summarize(arch).layers.filter((l) => l.kind === 'conv'),
  ).map((m) => m.output);
}

/**
 * The map each block reads and the one it writes, from the summary's conv layers: the last main
 * conv writes a block's output, or the shortcut alone (a skip block); an identity skip block
 * writes a map of its input's shape.
 */
function blockMaps(arch: Arch, convs: readonly LayerSummary[]): { input: Shape3; output: Shape3 }[] {
  const [sh, sw, sc] = convs.find((l) => l.block === undefined)!.outputShape;
  const pool = arch.stem.pool;
  let current: Shape3 = pool ? [Math.ceil(sh / pool.stride), Math.ceil(sw / pool.stride), sc] : [sh, sw, sc];
  return arch.blocks.map((_, i) => {
    const own = convs.filter((l) => l.block === i);
    const writer = own.filter((l) => !l.name.endsWith('.shortcut')).pop() ?? own.find((l) => l.name.endsWith('.shortcut'));
    const input = current;
    if (writer) current = writer.outputShape;
    return { input, output: current };
  });
}

/** Every piece of work of `arch` with its place, in the packed engine's order. */
export function latencyItemsOf(arch: Arch): LatencyItem[] {
  const items: LatencyItem[] = [];
  const layers = summarize(arch).layers.filter((l) => l.kind === 'conv');
  const stem = layers.find((l) => l.block === undefined)!;
  const stemPlace: LatencyPlace = { part: 'stem' };
  items.push({ entry: convEntry(stem, 1), place: stemPlace });
  items.push({ entry: mapEntry('batchNorm', stem.outputShape), place: stemPlace });
  if (arch.bits[0] !== 1) items.push({ entry: mapEntry('relu', stem.outputShape), place: stemPlace });
  const [sh, sw, sc] = stem.outputShape;
  if (arch.stem.pool)
    items.push({ entry: { op: 'maxPool', h: sh, w: sw, c: sc, window: arch.stem.pool.kernel, stride: arch.stem.pool.stride }, place: stemPlace });

  const maps = blockMaps(arch, layers);
  const outputs = maps.map((m) => m.output);
  arch.groups.forEach((group, g) => {
    const paths = pathsOf(arch, g);
    const float = arch.bits[g] === 32;
    for (let i = group.start; i < group.end; i++) {
      const place: LatencyPlace = { part: 'block', block: i };
      const convs = layers.filter((l) => l.block === i);
      const main = convs.filter((l) => !l.name.endsWith('.shortcut'));
      const projection = convs.find((l) => l.name.endsWith('.shortcut'));
      // A full-precision LBD unit sums its K filters once at load: one conv per layer.
      main.forEach((l, u) => {
        const output = convOutput(arch, g, arch.blocks[i]!.kind, u, main.length);
        for (const entry of convEntries(l, float && convBasesOf(arch, g) > 1 ? 1 : l.replicas, output)) items.push({ entry, place });
      });
      if (projection) items.push({ entry: convEntry(projection, projection.replicas), place });
      const perPath = blockWork(arch, g, i, maps[i]!.input, main, projection);
      for (let k = 0; k < paths; k++) for (const entry of perPath) items.push({ entry, place });
    }
    if (g < arch.groups.length - 1) {
      const entry = connectionEntry(arch.connections[g]!, paths, pathsOf(arch, g + 1), outputs[group.end - 1]!);
      if (entry) items.push({ entry, place: { part: 'connection', block: group.end - 1 } });
    }
  });
  const headPlace: LatencyPlace = { part: 'head' };
  const output = outputs[outputs.length - 1]!;
  const last = connectionEntry('aggregate', pathsOf(arch, arch.groups.length - 1), 1, output);
  if (last) items.push({ entry: last, place: headPlace });
  items.push({ entry: headEntry(arch, output), place: headPlace });
  return items;
}

/** The classifier head, or a segmentation model's FCN head (its skip map: the output of the FCN-16s skip block). */
function headEntry(arch: Arch, [h, w, c]: Shape3): LatencyEntry {
  const classes = arch.head.classes;
  if (arch.head.fcn === undefined) return { op: 'head', h, w, c, classes };
  const skipBlock = fcnSkipBlock(arch);
  const skip = skipBlock !== undefined ? blockOutputShapes(arch)[skipBlock]! : undefined;
  return {
    op: 'fcnHead',
    h,
    w,
    c,
    classes,
    outHeight: arch.input.height,
    outWidth: arch.input.width,
    ...(skip ? { skip: { h: skip[0], w: skip[1], c: skip[2] } } : {}),
  };
}

/**
 * The work of block i on one path besides its convs: the shortcut (copy or avg-pool + BN), the
 * residual adds of LBD units (K convs sum among themselves first), and BN / ReLU / add of
 * full-precision units.
 */
function blockWork(arch: Arch, g: number, i: number, input: Shape3, main: LayerSummary[], projection: LayerSummary | undefined): LatencyEntry[] {
  const block = arch.blocks[i]!;
  const work: LatencyEntry[] = [];
  if (projection) {
    const [h, w, c] = input;
    if (block.stride > 1) work.push({ op: 'avgPool', h, w, c, window: 2, stride: block.stride });
    work.push(mapEntry('batchNorm', projection.outputShape));
  } else if (block.kind !== 'plain') {
    work.push(mapEntry('copy', input));
  }
  main.forEach((unit, u) => {
    if (arch.bits[g] === 32) {
      work.push(mapEntry('batchNorm', unit.outputShape));
      if (u === main.length - 1 && block.kind !== 'plain') work.push(mapEntry('add', unit.outputShape));
      work.push(mapEntry('relu', unit.outputShape));
    } else if (convBasesOf(arch, g) > 1 && addsResidual(block.kind, u, main.length)) {
      work.push(mapEntry('add', unit.outputShape));
    }
  });
  return work;
}

export function latencyEntriesOf(arch: Arch): LatencyEntry[] {
  return latencyItemsOf(arch).map((item) => item.entry);
}

/** The conv entries of an arch (the binary and float convs with their output transforms). */
export function convEntriesOf(arch: Arch): ConvEntry[] {
  return latencyEntriesOf(arch).filter(isConvEntry);
}

/** Predicted batch-1 latency of an arch: the sum of its entries' latencies (lookupLatency). */
export function predictArchLatency(table: LatencyTable, arch: Arch): number {
  return latencyEntriesOf(arch).reduce((sum, e) => sum + lookupLatency(table, e), 0);
}
