/** Convolution geometries the gradient kernels are checked on: fixed corner cases plus seeded random ones. */
import { createRng, randomInt } from '../../../src/util/random.js';
import type { ConvPadding } from '../../../src/backend/kernels/conv-geometry.js';

export interface ConvCase {
  batch: number;
  height: number;
  width: number;
  inChannels: number;
  outChannels: number;
  kernel: [number, number];
  stride: [number, number];
  dilation: [number, number];
  pad: ConvPadding;
  dataFormat: 'NHWC' | 'NCHW';
}

/** The HWIO filter shape of a case. */
export function filterShape(c: ConvCase): [number, number, number, number] {
  return [c.kernel[0], c.kernel[1], c.inChannels, c.outChannels];
}

export function describeCase(c: ConvCase): string {
  const pad = typeof c.pad === 'object' ? `[${explicitPads(c).join(',')}]` : String(c.pad);
  return `${c.dataFormat} ${c.batch}×${c.height}×${c.width}×${c.inChannels}→${c.outChannels} k${c.kernel.join('×')} s${c.stride.join(',')} d${c.dilation.join(',')} pad ${pad}`;
}

/** Output rows of a forward convolution along one axis (≥ 1 for the cases generated here). */
function outSize(size: number, k: number, s: number, d: number, before: number, after: number, mode: 'same' | 'valid' | 'explicit'): number {
  const eff = (k - 1) * d + 1;
  if (mode === 'same') return Math.ceil(size / s);
  if (mode === 'valid') return Math.ceil((size - eff + 1) / s);
  return Math.floor((size + before + after - eff) / s) + 1;
}

function makeCase(
  rng: () => number,
  kernel: number,
  stride: number,
  dilation: number,
  padMode: 'same' | 'valid' | 'explicit',
  dataFormat: 'NHWC' | 'NCHW' = 'NHWC',
): ConvCase {
  const eff = (kernel - 1) * dilation + 1;
  const pads = [randomInt(rng, 3), randomInt(rng, 3), randomInt(rng, 3), randomInt(rng, 3)] as [number, number, number, number];
  const minSize = padMode === 'same' ? 1 : eff;
  let height = minSize + randomInt(rng, 7);
  let width = minSize + randomInt(rng, 7);
  while (outSize(height, kernel, stride, dilation, pads[0], pads[1], padMode) < 1) height++;
  while (outSize(width, kernel, stride, dilation, pads[2], pads[3], padMode) < 1) width++;
  return {
    batch: 1 + randomInt(rng, 2),
    height,
    width,
    inChannels: 1 + randomInt(rng, 7),
    outChannels: 1 + randomInt(rng, 7),
    kernel: [kernel, kernel],
    stride: [stride, stride],
    dilation: [dilation, dilation],
    // Explicit pads follow the data format's axis order.
    pad:
      padMode !== 'explicit'
        ? padMode
        : dataFormat === 'NCHW'
          ? [
              [0, 0],
              [0, 0],
              [pads[0], pads[1]],
              [pads[2], pads[3]],
            ]
          : [
              [0, 0],
              [pads[0], pads[1]],
              [pads[2], pads[3]],
              [0, 0],
            ],
    dataFormat,
  };
}

/**
 * Every kernel size (1, 3, 5) × stride (1, 2) × padding mode, every dilation (2, 4, 8) with stride 1,
 * a few NCHW and non-square ones, then random mixes; channel counts 1–7 (odd ones included).
 */
export function convCases(seed: number, randomCount = 12): ConvCase[] {
  const rng = createRng(seed);
  const cases: ConvCase[] = [];
  const modes = ['same', 'valid', 'explicit'] as const;
  for (const kernel of [1, 3, 5]) {
    for (const stride of [1, 2]) {
      for (const mode of modes) cases.push(makeCase(rng, kernel, stride, 1, mode));
    }
    for (const dilation of [2, 4, 8]) cases.push(makeCase(rng, kernel === 1 ? 3 : kernel, 1, dilation, modes[randomInt(rng, 3)]!));
  }
  cases.push(makeCase(rng, 3, 2, 1, 'same', 'NCHW'), makeCase(rng, 3, 1, 2, 'explicit', 'NCHW'));
  cases.push({ ...makeCase(rng, 3, 1, 1, 'valid'), kernel: [3, 1], stride: [2, 1] });
  cases.push({ ...makeCase(rng, 5, 1, 1, 'same'), kernel: [1, 5], dilation: [1, 2] });
  for (let i = 0; i < randomCount; i++) {
    const stride = 1 + randomInt(rng, 2);
    const dilation = stride === 1 ? [1, 2, 4, 8][randomInt(rng, 4)]! : 1;
    cases.push(makeCase(rng, [1, 3, 5][randomInt(rng, 3)]!, stride, dilation, modes[randomInt(rng, 3)]!, randomInt(rng, 4) === 0 ? 'NCHW' : 'NHWC'));
  }
  return cases;
}

/** NHWC or NCHW input shape of a case. */
export function inputShape(c: ConvCase): [number, number, number, number] {
  return c.dataFormat === 'NCHW' ? [c.batch, c.inChannels, c.height, c.width] : [c.batch, c.height, c.width, c.inChannels];
}

/** [top, bottom, left, right] of an explicitly padded case (zeros otherwise). */
function explicitPads(c: ConvCase): [number, number, number, number] {
  if (typeof c.pad !== 'object') return [0, 0, 0, 0];
  const [rows, cols] = c.dataFormat === 'NCHW' ? [c.pad[2], c.pad[3]] : [c.pad[1], c.pad[2]];
  return [rows[0], rows[1], cols[0], cols[1]];
}

/** Output (dy) shape of a case, in its data format. */
export function outputShape(c: ConvCase): [number, number, number, number] {
  const mode = typeof c.pad === 'string' ? c.pad : 'explicit';
  const [top, bottom, left, right] = explicitPads(c);
  const oh = outSize(c.height, c.kernel[0], c.stride[0], c.dilation[0], top, bottom, mode);
  const ow = outSize(c.width, c.kernel[1], c.stride[1], c.dilation[1], left, right, mode);
  return c.dataFormat === 'NCHW' ? [c.batch, c.outChannels, oh, ow] : [c.batch, oh, ow, c.outChannels];
}

/** The case with its filter dilated by zero insertion and dilation 1: what stock kernels can compute. */
export function zeroInsertedEquivalent(c: ConvCase): ConvCase {
  return {
    ...c,
    kernel: [(c.kernel[0] - 1) * c.dilation[0] + 1, (c.kernel[1] - 1) * c.dilation[1] + 1],
    dilation: [1, 1],
  };
}
