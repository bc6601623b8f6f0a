/**
 * One binary conv call as the compiled engines (wasm, native) receive it: the ±1 or bit-plane
 * input, the packed weights, the output mode, and the checks both run before handing the
 * buffers to their kernels.
 */
import { UsageError } from '../util/errors.js';
import type { ConvGeometry, ConvSpec } from './conv-spec.js';
import { checkAffine, type ChannelAffine } from './output-transform.js';
import type { NhwcShape } from './packing.js';
import type { PackedWeights } from './weights.js';

/** Output mode codes; must match MODE_* in assembly/binary.ts and gn_mode in native/src/kernels.h. */
export const OUTPUT_MODE = { int: 0, float: 1, accumulate: 2, sign: 3 } as const;
export type OutputMode = keyof typeof OUTPUT_MODE;

export interface ConvCall {
  input: NhwcShape & { words: number };
  /** The packed input: one plane (bits = 0, ±1 activations) or `bits` planes of k-bit ones. */
  planes: Uint32Array;
  bits: number;
  weights: PackedWeights;
  spec: ConvSpec;
  mode: OutputMode;
  transform?: ChannelAffine;
  accumulate?: Float32Array;
}

export interface ConvCallSizes {
  cout: number;
  /** Input planes (1 for ±1 activations). */
  planes: number;
  /** Words of one input plane. */
  planeWords: number;
  /** Output pixels over the batch. */
  pixels: number;
}

/** The sizes a call's buffers must have (input planes, transform, accumulator), checked against them. */
export function checkConvBuffers(call: ConvCall, geometry: ConvGeometry): ConvCallSizes {
  const { input, weights, transform } = call;
  const cout = weights.outChannels;
  const planes = Math.max(call.bits, 1);
  const planeWords = input.n * input.h * input.w * input.words;
  if (call.planes.length !== planeWords * planes) {
    throw new UsageError(`binary conv: packed input has ${call.planes.length} words, expected ${planes}×${planeWords}`);
  }
  if (transform) checkAffine(transform, cout);
  const pixels = input.n * geometry.outH * geometry.outW;
  if (call.accumulate && call.accumulate.length !== pixels * cout) {
    throw new UsageError(`binary conv: accumulator has ${call.accumulate.length} values, expected ${pixels * cout}`);
  }
  return { cout, planes, planeWords, pixels };
}
