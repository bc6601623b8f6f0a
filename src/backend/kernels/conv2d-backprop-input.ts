import * as tf from '../../util/tfjs.js';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { axisWindow, convGeometry, markDilationAware, NCHW_TO_NHWC, NHWC_TO_NCHW, type ConvAttrs, type ConvGeometry } from './conv-geometry.js';
import { withWasmKernelScope, type WasmKernelScope } from './wasm-kernel-scope.js';

export interface Conv2DBackpropInputKernelAttrs extends ConvAttrs {
  inputShape: [number, number, number, number];
}

/**
 * Along one spatial axis, the input positions i ≡ r (mod stride) form a "phase". Only taps with
 * (r + pad − k·d) ≡ 0 (mod stride) reach them, and for those dx is a stride-1 convolution of dy:
 *
 *   dx[stride·q + r] = Σ_j dy[q + c − j] · w[k0 + stride·j]
 *
 * With stride 1 there is one phase holding every tap (dilation d); with stride s > 1 (then d = 1)
 * there are s phases with about K/s taps each, so no multiply is spent on zeros.
 */
export interface AxisPhase {
  /** residue r of the input positions this phase produces */
  residue: number;
  /** first tap k0 that reaches the phase, and the tap step (stride, or 1 for stride 1) */
  firstTap: number;
  tapCount: number;
  tapStep: number;
  /** input positions in the phase: ⌈(size − r) / stride⌉ */
  outSize: number;
  /** signed borders of the stride-1 convolution over dy (negative = crop dy) */
  before: number;
  after: number;
}

/** The phases of one axis: `size` input positions, `outSize` dy positions, `taps` filter taps. */
export function axisPhases(size: number, outSize: number, taps: number, stride: number, dilation: number, padBefore: number): AxisPhase[] {
  if (stride === 1) {
    // dx[i] = Σ_k dy[i + pad − k·d] · w[k]: a dilated convolution with the flipped filter.
    const before = (taps - 1) * dilation - padBefore;
    return [{ residue: 0, firstTap: 0, tapCount: taps, tapStep: 1, outSize: size, before, after: size - outSize + padBefore }];
  }
  if (dilation !== 1) throw new Error('groupnas Conv2DBackpropInput: stride and dilation cannot both exceed 1 on one axis');
  const phases: AxisPhase[] = [];
  for (let r = 0; r < stride && r < size; r++) {
    const firstTap = (((r + padBefore) % stride) + stride) % stride;
    const tapCount = firstTap < taps ? Math.ceil((taps - firstTap) / stride) : 0;
    const c = (r + padBefore - firstTap) / stride;
    const phaseSize = Math.ceil((size - r) / stride);
    const before = tapCount - 1 - c;
    phases.push({ residue: r, firstTap, tapCount, tapStep: stride, outSize: phaseSize, before, after: phaseSize - outSize + c });
  }
  return phases;
}

/**
 * dx for a 2-D convolution on the wasm backend, as forward convolutions of dy with flipped,
 * transposed (sub-)filters that XNNPACK runs fast. Replaces tfjs-backend-wasm's own
 * Conv2DBackpropInput, a direct loop ~20× slower than its forward convolution.
 */
export function conv2DBackpropInputWasm(args: { inputs: tf.NamedTensorInfoMap; backend: BackendWasm; attrs: Conv2DBackpropInputKernelAttrs }): tf.TensorInfo {
  const { dy, filter } = args.inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const { attrs } = args;
  const channelsFirst = attrs.dataFormat === 'NCHW';
  const g = convGeometry(attrs.inputShape, filter.shape as [number, number, number, number], attrs);
  const rowPhases = axisPhases(g.inHeight, g.outHeight, g.filterHeight, g.strideHeight, g.dilationHeight, g.padTop);
  const colPhases = axisPhases(g.inWidth, g.outWidth, g.filterWidth, g.strideWidth, g.dilationWidth, g.padLeft);

  return withWasmKernelScope(args.backend, (scope) => {
    const dyNhwc = channelsFirst ? scope.transpose(dy, NCHW_TO_NHWC) : dy;
    const dxNhwc =
      rowPhases.length === 1 && colPhases.length === 1
        ? phaseConvolution(scope, dyNhwc, filter, g, rowPhases[0]!, colPhases[0]!)
        : interleavePhases(scope, dyNhwc, filter, g, rowPhases, colPhases);
    return channelsFirst ? scope.transpose(dxNhwc, NHWC_TO_NCHW) : dxNhwc;
  });
}

/** One phase's dx [n, rows.outSize, cols.outSize, ci]; at least one tap must reach it on each axis. */
function phaseConvolution(scope: WasmKernelScope, dy: tf.TensorInfo, filter: tf.TensorInfo, g: ConvGeometry, rows: AxisPhase, cols: AxisPhase): tf.TensorInfo {
  const subFilter = flippedTransposedSubFilter(scope, filter, rows, cols);
  const r = axisWindow(rows.before, rows.after);
  const c = axisWindow(cols.before, cols.after);
  const input = scope.cropSpatial(dy, r.cropBefore, r.cropAfter, c.cropBefore, c.cropAfter);
  return scope.run(
    'Conv2D',
    { x: input, filter: subFilter },
    {
      strides: 1,
      dilations: [rows.tapStep === 1 ? g.dilationHeight : 1, cols.tapStep === 1 ? g.dilationWidth : 1],
      pad: [
        [0, 0],
        [r.padBefore, r.padAfter],
        [c.padBefore, c.padAfter],
        [0, 0],
      ],
      dataFormat: 'NHWC',
    },
  );
}

/** The taps of `filter` [kh, kw, ci, co] that reach one phase, spatially flipped, as [jh, jw, co, ci]. */
function flippedTransposedSubFilter(scope: WasmKernelScope, filter: tf.TensorInfo, rows: AxisPhase, cols: AxisPhase): tf.TensorInfo {
  const [, kw, ci, co] = filter.shape as [number, number, number, number];
  const jh = rows.tapCount;
  const jw = cols.tapCount;
  const out = scope.allocate([jh, jw, co, ci]);
  const src = scope.view(filter);
  const dst = scope.view(out);
  for (let a = 0; a < jh; a++) {
    const khSrc = rows.firstTap + rows.tapStep * (jh - 1 - a);
    for (let b = 0; b < jw; b++) {
      const kwSrc = cols.firstTap + cols.tapStep * (jw - 1 - b);
      const srcBase = (khSrc * kw + kwSrc) * ci * co;
      const dstBase = (a * jw + b) * co * ci;
      for (let i = 0; i < ci; i++) {
        for (let o = 0; o < co; o++) dst[dstBase + o * ci + i] = src[srcBase + i * co + o]!;
      }
    }
  }
  return out;
}

/** Strided dx: one convolution per (row phase, column phase), scattered into place. */
function interleavePhases(
  scope: WasmKernelScope,
  dy: tf.TensorInfo,
  filter: tf.TensorInfo,
  g: ConvGeometry,
  rowPhases: AxisPhase[],
  colPhases: AxisPhase[],
): tf.TensorInfo {
  const parts: { rows: AxisPhase; cols: AxisPhase; dx: tf.TensorInfo | null }[] = [];
  for (const rows of rowPhases) {
    for (const cols of colPhases) {
      const reached = rows.tapCount > 0 && cols.tapCount > 0 && rows.outSize > 0 && cols.outSize > 0;
      parts.push({ rows, cols, dx: reached ? phaseConvolution(scope, dy, filter, g, rows, cols) : null });
    }
  }
  const dx = scope.allocate([g.batch, g.inHeight, g.inWidth, g.inChannels]);
  const out = scope.view(dx); // after the last allocation: views stay valid
  const ci = g.inChannels;
  const rowLength = g.inWidth * ci;
  const sh = g.strideHeight;
  const sw = g.strideWidth;
  for (const { rows, cols, dx: part } of parts) {
    if (part === null) {
      for (let n = 0; n < g.batch; n++) {
        for (let q = 0; q < rows.outSize; q++) {
          const rowBase = (n * g.inHeight + sh * q + rows.residue) * rowLength;
          for (let p = 0; p < cols.outSize; p++) out.fill(0, rowBase + (sw * p + cols.residue) * ci, rowBase + (sw * p + cols.residue + 1) * ci);
        }
      }
      continue;
    }
    const src = scope.view(part);
    let s = 0;
    for (let n = 0; n < g.batch; n++) {
      for (let q = 0; q < rows.outSize; q++) {
        const rowBase = (n * g.inHeight + sh * q + rows.residue) * rowLength;
        for (let p = 0; p < cols.outSize; p++) {
          let d = rowBase + (sw * p + cols.residue) * ci;
          for (let c = 0; c < ci; c++) out[d++] = src[s++]!;
        }
      }
    }
  }
  return dx;
}

export const conv2DBackpropInputWasmConfig: tf.KernelConfig = markDilationAware({
  kernelName: 'Conv2DBackpropInput',
  backendName: 'wasm',
  kernelFunc: conv2DBackpropInputWasm as unknown as tf.KernelFunc,
});
