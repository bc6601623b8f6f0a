import * as tf from '../../util/tfjs.js';
import { MIX_BASES, MIX_BASES_GRAD } from '../../util/kernel-names.js';
import { heapF32, requireNativeTraining, type WasmKernelArgs } from './native-training.js';

/** inputs[first … first + count − 1] of a variadic kernel (its inputs are a list). */
function listed(inputs: tf.NamedTensorInfoMap, first: number, count: number): tf.TensorInfo[] {
  return Array.from({ length: count }, (_, k) => {
    const t = inputs[first + k];
    if (t === undefined) throw new Error(`groupnas: mixing kernel: input ${first + k} is missing`);
    return t;
  });
}

/** x̃_j = Σ_k W[j,k]·x_k (see MIX_BASES): one native call for all J outputs. */
export function mixBasesNative({ inputs, backend }: WasmKernelArgs): tf.TensorInfo[] {
  const native = requireNativeTraining(MIX_BASES, backend);
  const weights = inputs[0]!;
  const [rows, cols] = weights.shape as [number, number];
  const parts = listed(inputs, 1, cols);
  const outs = Array.from({ length: rows }, () => backend.makeOutput(parts[0]!.shape, 'float32'));
  if (tf.util.sizeFromShape(parts[0]!.shape) > 0) {
    const view = (t: tf.TensorInfo) => heapF32(backend, t);
    native.addon.mixForward(view(weights), parts.map(view), outs.map(view), native.threads);
  }
  return outs;
}

/** [∂W, ∂x_0 … ∂x_{K−1}] from the parts and the J output gradients. */
export function mixBasesGradNative({ inputs, backend }: WasmKernelArgs): tf.TensorInfo[] {
  const native = requireNativeTraining(MIX_BASES_GRAD, backend);
  const weights = inputs[0]!;
  const [rows, cols] = weights.shape as [number, number];
  const parts = listed(inputs, 1, cols);
  const dys = listed(inputs, 1 + cols, rows);
  const dWeights = backend.makeOutput([rows, cols], 'float32');
  const dParts = parts.map((p) => backend.makeOutput(p.shape, 'float32'));
  const view = (t: tf.TensorInfo) => heapF32(backend, t);
  if (tf.util.sizeFromShape(parts[0]!.shape) > 0) {
    native.addon.mixBackward(view(weights), parts.map(view), dys.map(view), dParts.map(view), view(dWeights), native.threads);
  } else {
    view(dWeights).fill(0);
  }
  return [dWeights, ...dParts];
}

/**
 * The gradient of MIX_BASES for every backend that runs it: one call of MIX_BASES_GRAD. An output
 * that received no gradient counts as zeros.
 */
export const mixBasesGradConfig: tf.GradConfig = {
  kernelName: MIX_BASES,
  saveAllInputs: true,
  gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
    const [weights, ...parts] = saved as [tf.Tensor2D, ...tf.Tensor[]];
    const dys = (Array.isArray(dy) ? dy : [dy]).map((d) => d ?? tf.zerosLike(parts[0]!));
    const list = [weights, ...parts, ...dys] as unknown as tf.NamedTensorMap;
    const grads = tf.engine().runKernel(MIX_BASES_GRAD, list, {}) as tf.Tensor[];
    return Object.fromEntries(grads.map((g, i) => [String(i), () => g]));
  },
};

export const mixBasesNativeConfig: tf.KernelConfig = { kernelName: MIX_BASES, backendName: 'wasm', kernelFunc: mixBasesNative as unknown as tf.KernelFunc };
export const mixBasesGradNativeConfig: tf.KernelConfig = {
  kernelName: MIX_BASES_GRAD,
  backendName: 'wasm',
  kernelFunc: mixBasesGradNative as unknown as tf.KernelFunc,
};
