import * as tf from '../../util/tfjs.js';
import { MIXED_QUANTIZE, MIXED_QUANTIZE_GRAD } from '../../util/kernel-names.js';
import { heapF32, requireNativeTraining, type WasmKernelArgs } from './native-training.js';

interface MixedQuantizeAttrs {
  bits: number[];
  beta: number;
  approx?: boolean;
  weightsGradient?: boolean;
}

/** The quantizer's constants as the composite rounds them: float32 scalars (2^k−1)/β and β/(2^k−1) per k-bit width. */
function constants(attrs: MixedQuantizeAttrs): { bits: Int32Array; factor: Float32Array; step: Float32Array } {
  const levels = attrs.bits.map((b) => 2 ** b - 1);
  return {
    bits: Int32Array.from(attrs.bits),
    factor: Float32Array.from(levels, (l, i) => (attrs.bits[i] === 1 ? 0 : l / attrs.beta)),
    step: Float32Array.from(levels, (l, i) => (attrs.bits[i] === 1 ? 0 : attrs.beta / l)),
  };
}

/** y = Σ_b p_b·q_b(x) (see MIXED_QUANTIZE), one native pass. */
export function mixedQuantizeNative({ inputs, backend, attrs }: WasmKernelArgs<MixedQuantizeAttrs>): tf.TensorInfo {
  const native = requireNativeTraining(MIXED_QUANTIZE, backend);
  const { x, p } = inputs as { x: tf.TensorInfo; p: tf.TensorInfo };
  const y = backend.makeOutput(x.shape, 'float32');
  if (tf.util.sizeFromShape(x.shape) > 0) {
    const { bits, factor, step } = constants(attrs);
    const view = (t: tf.TensorInfo) => heapF32(backend, t);
    native.addon.mixedQuantizeForward(bits, view(p), factor, step, attrs.beta, 0, view(x), view(y), native.threads);
  }
  return y;
}

/** [∂x, ∂p] (see MIXED_QUANTIZE_GRAD), one native pass. */
export function mixedQuantizeGradNative({ inputs, backend, attrs }: WasmKernelArgs<MixedQuantizeAttrs>): tf.TensorInfo[] {
  const native = requireNativeTraining(MIXED_QUANTIZE_GRAD, backend);
  const { x, dy, p } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo; p: tf.TensorInfo };
  const dx = backend.makeOutput(x.shape, 'float32');
  const dp = backend.makeOutput(p.shape, 'float32');
  const view = (t: tf.TensorInfo) => heapF32(backend, t);
  const weightsGradient = attrs.weightsGradient ?? true;
  if (tf.util.sizeFromShape(x.shape) > 0) {
    const { bits, factor, step } = constants(attrs);
    const approx = attrs.approx ? 1 : 0;
    native.addon.mixedQuantizeBackward(
      bits,
      view(p),
      factor,
      step,
      attrs.beta,
      approx,
      view(x),
      view(dy),
      view(dx),
      weightsGradient ? view(dp) : null,
      native.threads,
    );
  }
  if (!weightsGradient || tf.util.sizeFromShape(x.shape) === 0) view(dp).fill(0);
  return [dx, dp];
}

export const mixedQuantizeNativeConfig: tf.KernelConfig = {
  kernelName: MIXED_QUANTIZE,
  backendName: 'wasm',
  kernelFunc: mixedQuantizeNative as unknown as tf.KernelFunc,
};
export const mixedQuantizeGradNativeConfig: tf.KernelConfig = {
  kernelName: MIXED_QUANTIZE_GRAD,
  backendName: 'wasm',
  kernelFunc: mixedQuantizeGradNative as unknown as tf.KernelFunc,
};
