/**
 * What the latency look-up table prices: every piece of work the packed engine does for a model,
 * each described by the shapes its time depends on. Convs (the binary and float convs with their
 * output transforms) carry the bulk; the rest — BatchNorm and ReLU of float units, residual adds,
 * identity-shortcut copies, pooling, the connections between bases and the classifier head — is
 * what a conv-only table misses (4–32% of a model on the wasm engine).
 */
import type { ActivationBits } from '../space/arch.js';
import { UsageError } from '../util/errors.js';

/** One conv the search needs priced: shape, activation bits of its input, and how many bases run it. */
export interface ConvEntry {
  op?: 'conv';
  h: number;
  w: number;
  inChannels: number;
  outChannels: number;
  kernel: number;
  stride: number;
  dilation: number;
  /** 1 = binary, 2/4 = bit planes, 32 = full precision (float conv). */
  bits: ActivationBits;
  /** Number of bases: K convs with their own weights (one output transform each). */
  bases: number;
  /** Where the bases' outputs go (default `new`); see ConvOutput. */
  output?: ConvOutput;
}

/**
 * How a conv entry's K bases run in the packed engine — what it allocates and how often it
 * quantizes its input differs, and a small conv's time shows it (a new 28×28×16 map costs about a
 * tenth of a binary conv of that size):
 * - `new`: each base quantizes its own input and writes a new map (parallel bases, a unit without
 *   a residual; every float conv);
 * - `sum`: one input quantized once, the K convs summed into one new map (an LBD layer);
 * - `add`: each base quantizes its own input and adds into the map its unit's residual is already
 *   in (a binary unit that adds the residual: nothing allocated).
 */
export type ConvOutput = 'new' | 'sum' | 'add';
const CONV_OUTPUTS: readonly ConvOutput[] = ['new', 'sum', 'add'];

/** Element-wise work on one h×w×c map (float-ops.ts): inference BatchNorm, ReLU, `a += b`, a copy. */
export interface MapEntry {
  op: 'batchNorm' | 'relu' | 'add' | 'copy';
  h: number;
  w: number;
  c: number;
}

/** Average pool (projection shortcuts of stride > 1) or max pool (the stem's), of an h×w×c input. */
export interface PoolEntry {
  op: 'avgPool' | 'maxPool';
  h: number;
  w: number;
  c: number;
  window: number;
  stride: number;
}

/** A connection between bases: `to` maps, each Σ over `from` base outputs of h×w×c (aggregate: to = 1). */
export interface MixEntry {
  op: 'mix';
  h: number;
  w: number;
  c: number;
  from: number;
  to: number;
}

/** The classifier head: global average pool of h×w×c, then the c → classes dense layer. */
export interface HeadEntry {
  op: 'head';
  h: number;
  w: number;
  c: number;
  classes: number;
}

/**
 * The FCN head of a segmentation model: a 1×1 classifier (dense per pixel) on the h×w×c map,
 * for FCN-16s a second one on the skip map plus an up-sampling to it, then the bilinear
 * up-sampling of the scores to outHeight × outWidth.
 */
export interface FcnHeadEntry {
  op: 'fcnHead';
  h: number;
  w: number;
  c: number;
  classes: number;
  outHeight: number;
  outWidth: number;
  skip?: { h: number; w: number; c: number };
}

export type OpEntry = MapEntry | PoolEntry | MixEntry | HeadEntry | FcnHeadEntry;
export type LatencyEntry = ConvEntry | OpEntry;

export function isConvEntry(e: LatencyEntry): e is ConvEntry {
  return e.op === undefined || e.op === 'conv';
}

/** Canonical key of an entry, e.g. `28x28 128>128 k3 s1 d1 b1 K5`, `mix 28x28x32 5>5`, `head 7x7x128>10`. */
export function latencyKey(e: LatencyEntry): string {
  if (isConvEntry(e)) {
    const output = e.output === 'sum' ? ' sum' : e.output === 'add' ? ' +res' : '';
    return `${e.h}x${e.w} ${e.inChannels}>${e.outChannels} k${e.kernel} s${e.stride} d${e.dilation} b${e.bits} K${e.bases}${output}`;
  }
  const map = `${e.op} ${e.h}x${e.w}x${e.c}`;
  switch (e.op) {
    case 'avgPool':
    case 'maxPool':
      return `${map} k${e.window} s${e.stride}`;
    case 'mix':
      return `${map} ${e.from}>${e.to}`;
    case 'head':
      return `${map}>${e.classes}`;
    case 'fcnHead':
      return `${map}>${e.classes} @${e.outHeight}x${e.outWidth}${e.skip ? ` skip ${e.skip.h}x${e.skip.w}x${e.skip.c}` : ''}`;
    default:
      return map;
  }
}

/** Names of the fields an entry of each kind must hold as positive integers. */
const INTEGER_FIELDS = {
  conv: ['h', 'w', 'inChannels', 'outChannels', 'kernel', 'stride', 'dilation', 'bases'],
  map: ['h', 'w', 'c'],
  pool: ['h', 'w', 'c', 'window', 'stride'],
  mix: ['h', 'w', 'c', 'from', 'to'],
  head: ['h', 'w', 'c', 'classes'],
  fcnHead: ['h', 'w', 'c', 'classes', 'outHeight', 'outWidth'],
} as const;

function integerFields(e: LatencyEntry): readonly string[] {
  if (isConvEntry(e)) return INTEGER_FIELDS.conv;
  if (e.op === 'avgPool' || e.op === 'maxPool') return INTEGER_FIELDS.pool;
  if (e.op === 'mix' || e.op === 'head' || e.op === 'fcnHead') return INTEGER_FIELDS[e.op];
  return INTEGER_FIELDS.map;
}

const OPS: readonly string[] = ['conv', 'batchNorm', 'relu', 'add', 'copy', 'avgPool', 'maxPool', 'mix', 'head', 'fcnHead'];

/** Throws a UsageError naming the entry and the field that cannot be measured. */
export function checkEntry(e: LatencyEntry): void {
  if (e.op !== undefined && !OPS.includes(e.op)) throw new UsageError(`latency entry: op must be one of ${OPS.join(', ')}, got ${String(e.op)}`);
  for (const name of integerFields(e)) {
    const v = (e as unknown as Record<string, unknown>)[name];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1)
      throw new UsageError(`latency entry ${latencyKey(e)}: ${name} must be a positive integer, got ${String(v)}`);
  }
  if (e.op === 'fcnHead' && e.skip !== undefined) {
    for (const name of ['h', 'w', 'c'] as const) {
      const v = e.skip[name];
      if (!Number.isInteger(v) || v < 1) throw new UsageError(`latency entry ${latencyKey(e)}: skip.${name} must be a positive integer, got ${String(v)}`);
    }
  }
  if (isConvEntry(e) && ![1, 2, 4, 32].includes(e.bits)) throw new UsageError(`latency entry ${latencyKey(e)}: bits must be 1, 2, 4 or 32, got ${e.bits}`);
  if (isConvEntry(e) && e.output !== undefined && !(CONV_OUTPUTS as readonly string[]).includes(e.output))
    throw new UsageError(`latency entry ${latencyKey(e)}: output must be one of ${CONV_OUTPUTS.join(', ')}, got ${String(e.output)}`);
  // The float engine conv always returns a new map.
  if (isConvEntry(e) && e.bits === 32 && (e.output ?? 'new') !== 'new')
    throw new UsageError(`latency entry ${latencyKey(e)}: a full-precision conv writes a new map (output new), got ${e.output}`);
}
