/**
 * Export: a trained model's state dict (plain arrays — the caller reads its tfjs tensors)
 * becomes a `.gnb` model. Binary conv weights are stored as packed signs plus α = mean|W|
 * per output channel (what nn's magnitude-aware sign multiplies by); everything else as float32.
 */
import type { Arch } from '../space/arch.js';
import { UsageError } from '../util/errors.js';
import type { GnbModel, GnbTensor } from './gnb-format.js';
import { ALPHA_SUFFIX, binaryConvWeightNames } from './model-layout.js';
import { packWeights } from './weights.js';

export interface ArrayTensor {
  shape: number[];
  data: Float32Array;
}

export interface PackOptions {
  /** Clip β of the k-bit activation quantizer the model was trained with (nn's `activationClip`, default 2). */
  activationClip?: number;
  metadata?: Record<string, unknown>;
}

export function packStateDict(arch: Arch, state: Readonly<Record<string, ArrayTensor>>, options: PackOptions = {}): GnbModel {
  const binary = new Set(binaryConvWeightNames(arch));
  const tensors = new Map<string, GnbTensor>();
  for (const name of binary) {
    if (!(name in state)) throw new UsageError(`export: the state dict has no binary conv weight ${name} (does it belong to this arch?)`);
  }
  for (const [name, t] of Object.entries(state)) {
    if (t.data.length !== t.shape.reduce((a, b) => a * b, 1)) throw new UsageError(`export: ${name}: ${t.data.length} values do not match shape [${t.shape.join(', ')}]`);
    if (!binary.has(name)) {
      tensors.set(name, { dtype: 'float32', shape: [...t.shape], data: Float32Array.from(t.data) });
      continue;
    }
    const [k, k2, cin, cout] = t.shape as [number, number, number, number];
    if (t.shape.length !== 4 || k !== k2) throw new UsageError(`export: ${name}: expected an HWIO conv kernel [k, k, in, out], got [${t.shape.join(', ')}]`);
    const alpha = new Float32Array(cout);
    const sums = new Float64Array(cout);
    for (let i = 0; i < t.data.length; i++) sums[i % cout] += Math.abs(t.data[i]!);
    for (let o = 0; o < cout; o++) alpha[o] = sums[o]! / (k * k * cin);
    tensors.set(name, { dtype: 'binary', shape: [k, k, cin, cout], weights: packWeights(t.data, { kernel: k, inChannels: cin, outChannels: cout }) });
    tensors.set(`${name}${ALPHA_SUFFIX}`, { dtype: 'float32', shape: [cout], data: alpha });
  }
  return { arch, tensors, metadata: { activationClip: options.activationClip ?? 2, ...options.metadata } };
}
