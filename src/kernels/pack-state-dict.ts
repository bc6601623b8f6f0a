/**
 * Export: a trained model's state dict (plain arrays — the caller reads its tfjs tensors)
 * becomes a `.gnb` model. Binary conv weights are stored as packed signs plus α = mean|W|
 * per output channel (what nn's magnitude-aware sign multiplies by); everything else as float32.
 * The caller may hand α in as `<weight>.alpha`: the tfjs model's own α (its backend's reduction
 * order), which the packed engine must use to reproduce that model bit for bit.
 */
import { DEFAULT_ACTIVATION_CLIP } from '../space/activation-clip.js';
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
  /** Clip β of the k-bit activation quantizer the model was trained with (nn's `activationClip`, default DEFAULT_ACTIVATION_CLIP). */
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
    if (t.data.length !== t.shape.reduce((a, b) => a * b, 1))
      throw new UsageError(`export: ${name}: ${t.data.length} values do not match shape [${t.shape.join(', ')}]`);
    if (!binary.has(name)) {
      tensors.set(name, { dtype: 'float32', shape: [...t.shape], data: Float32Array.from(t.data) });
      continue;
    }
    const [k, k2, cin, cout] = t.shape as [number, number, number, number];
    if (t.shape.length !== 4 || k !== k2) throw new UsageError(`export: ${name}: expected an HWIO conv kernel [k, k, in, out], got [${t.shape.join(', ')}]`);
    tensors.set(name, { dtype: 'binary', shape: [k, k, cin, cout], weights: packWeights(t.data, { kernel: k, inChannels: cin, outChannels: cout }) });
    const given = state[`${name}${ALPHA_SUFFIX}`];
    if (given && given.data.length !== cout)
      throw new UsageError(`export: ${name}${ALPHA_SUFFIX}: ${given.data.length} values, expected one per output channel (${cout})`);
    tensors.set(`${name}${ALPHA_SUFFIX}`, { dtype: 'float32', shape: [cout], data: given ? Float32Array.from(given.data) : meanAbsPerChannel(t.data, cout) });
  }
  return { arch, tensors, metadata: { activationClip: options.activationClip ?? DEFAULT_ACTIVATION_CLIP, ...options.metadata } };
}

/** α = mean |W| per output channel of HWIO data (float64 sums). */
function meanAbsPerChannel(hwio: Float32Array, cout: number): Float32Array {
  const sums = new Float64Array(cout);
  for (let i = 0; i < hwio.length; i++) sums[i % cout] += Math.abs(hwio[i]!);
  const count = hwio.length / cout;
  return Float32Array.from(sums, (s) => s / count);
}
