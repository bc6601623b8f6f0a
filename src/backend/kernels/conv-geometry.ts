import * as tf from '../../util/tfjs.js';

/** Padding as tfjs kernels accept it: a mode, one number for all sides, or explicit per-axis [before, after] pairs. */
export type ConvPadding = 'valid' | 'same' | number | [[number, number], [number, number], [number, number], [number, number]];

/** The attributes a tfjs convolution kernel (forward or backward) is called with. */
export interface ConvAttrs {
  strides: number | [number, number];
  /** Not part of tfjs' backprop kernel attributes; our gradient passes it so dilated convolutions can train. */
  dilations?: number | [number, number];
  pad: ConvPadding;
  dataFormat?: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/**
 * Everything about a forward 2-D convolution that its two gradients need, in NHWC terms.
 * Forward: y[n, oh, ow, co] = Σ x[n, oh·sH − padTop + kh·dH, ow·sW − padLeft + kw·dW, ci] · w[kh, kw, ci, co].
 */
export interface ConvGeometry {
  batch: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  outChannels: number;
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  dilationHeight: number;
  dilationWidth: number;
  padTop: number;
  padLeft: number;
}

/** Geometry of the forward convolution `x * filter [kh, kw, ci, co]`, x's shape given in `attrs.dataFormat`. */
export function convGeometry(xShape: readonly number[], filterShape: readonly [number, number, number, number], attrs: ConvAttrs): ConvGeometry {
  const info = tf.backend_util.computeConv2DInfo(
    [...xShape] as [number, number, number, number],
    [...filterShape],
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    attrs.dataFormat === 'NCHW' ? 'channelsFirst' : 'channelsLast',
  );
  return geometryOfInfo(info);
}

/** ConvGeometry of tfjs' convolution or pooling info (a pool's outChannels are its inChannels). */
export function geometryOfInfo(info: ReturnType<typeof tf.backend_util.computeConv2DInfo>): ConvGeometry {
  return {
    batch: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    inChannels: info.inChannels,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    outChannels: info.outChannels,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    dilationHeight: info.dilationHeight,
    dilationWidth: info.dilationWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}

/**
 * A forward convolution's requested border on one axis, split into what must be cut from the
 * input (negative padding) and what stays as zero padding, since kernels only pad.
 */
export interface AxisWindow {
  cropBefore: number;
  cropAfter: number;
  padBefore: number;
  padAfter: number;
}

/** Split signed before/after amounts (negative = crop) into crop and pad parts. */
export function axisWindow(before: number, after: number): AxisWindow {
  return {
    cropBefore: Math.max(0, -before),
    cropAfter: Math.max(0, -after),
    padBefore: Math.max(0, before),
    padAfter: Math.max(0, after),
  };
}

/** NHWC ↔ NCHW permutations, for kernels that compute in NHWC only. */
export const NCHW_TO_NHWC = [0, 2, 3, 1] as const;
export const NHWC_TO_NCHW = [0, 3, 1, 2] as const;

/**
 * Backprop kernels that honour a `dilations` attribute (tfjs' own ignore it). Our Conv2D
 * gradient passes dilations straight to these and zero-inserts the filter for any other kernel.
 */
const dilationAware = new Set<tf.KernelFunc>();

export function markDilationAware(config: tf.KernelConfig): tf.KernelConfig {
  dilationAware.add(config.kernelFunc);
  return config;
}

export function isDilationAware(kernelFunc: tf.KernelFunc | undefined): boolean {
  return kernelFunc !== undefined && dilationAware.has(kernelFunc);
}
