/**
 * Convolution geometry shared by every engine: square kernel, stride, dilation and padding:
 * - 'same' (TensorFlow): output ⌈in/stride⌉, an odd total pad puts the extra row/column at the bottom/right;
 * - 'valid': no padding;
 * - 'symmetric' (PyTorch, and groupnas' nn Conv2d): dilation·(kernel−1)/2 zeros on every side,
 *   output ⌊(in − 1)/stride⌋ + 1 for odd kernels. Differs from 'same' at stride 2 on even sizes.
 */
import { UsageError } from '../util/errors.js';

export type Padding = 'same' | 'valid' | 'symmetric';

export interface ConvSpec {
  /** Square kernel size (1, 3, 5, …). */
  kernel: number;
  stride: number;
  dilation: number;
  padding: Padding;
}

export interface ConvGeometry {
  outH: number;
  outW: number;
  padTop: number;
  padLeft: number;
}

function outputAndPad(size: number, kernel: number, stride: number, dilation: number, padding: Padding): [number, number] {
  const span = (kernel - 1) * dilation + 1;
  if (padding === 'valid') {
    const out = size >= span ? Math.floor((size - span) / stride) + 1 : 0;
    return [out, 0];
  }
  if (padding === 'symmetric') {
    const pad = Math.floor(((kernel - 1) * dilation) / 2);
    const out = size + 2 * pad >= span ? Math.floor((size + 2 * pad - span) / stride) + 1 : 0;
    return [out, pad];
  }
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + span - size, 0);
  return [out, Math.floor(total / 2)];
}

export function checkConvSpec(spec: ConvSpec): void {
  for (const key of ['kernel', 'stride', 'dilation'] as const) {
    const v = spec[key];
    if (!Number.isInteger(v) || v < 1) throw new UsageError(`conv spec: ${key} must be a positive integer, got ${v}`);
  }
  if (spec.padding !== 'same' && spec.padding !== 'valid' && spec.padding !== 'symmetric') {
    throw new UsageError(`conv spec: padding must be 'same', 'valid' or 'symmetric', got ${String(spec.padding)}`);
  }
}

/** Output size and leading padding of a conv over an h×w input. Throws when 'valid' leaves no output. */
export function convGeometry(h: number, w: number, spec: ConvSpec): ConvGeometry {
  checkConvSpec(spec);
  const [outH, padTop] = outputAndPad(h, spec.kernel, spec.stride, spec.dilation, spec.padding);
  const [outW, padLeft] = outputAndPad(w, spec.kernel, spec.stride, spec.dilation, spec.padding);
  if (outH < 1 || outW < 1) {
    throw new UsageError(
      `conv spec: a ${spec.kernel}×${spec.kernel} kernel with dilation ${spec.dilation} does not fit a ${h}×${w} input with '${spec.padding}' padding`,
    );
  }
  return { outH, outW, padTop, padLeft };
}
