import * as tf from '../../util/tfjs.js';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { BATCH_NORM_TRAINING, BATCH_NORM_TRAINING_GRAD } from '../../util/kernel-names.js';
import { activeNativeTraining, wasmHeap, type NativeTraining } from './native-training.js';

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: BackendWasm; attrs: tf.NamedAttrMap };

function requireNative(kernel: string, backend: BackendWasm): NativeTraining {
  const native = activeNativeTraining(wasmHeap(backend));
  if (native === undefined) throw new Error(`groupnas: ${kernel} runs only while the native training kernels are in use`);
  return native;
}

/** Outputs are made before any view is taken: making one may grow the heap, detaching older views. */
function views(backend: BackendWasm, infos: tf.TensorInfo[]): Float32Array[] {
  return infos.map((t) => backend.typedArrayFromHeap(t) as Float32Array);
}

/** Training-mode batch norm (see kernel-names.ts): one native call, three passes over x. */
export function batchNormTrainingNative({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo[] {
  const native = requireNative(BATCH_NORM_TRAINING, backend);
  const { x, gamma, beta } = inputs as { x: tf.TensorInfo; gamma: tf.TensorInfo; beta: tf.TensorInfo };
  const channels = x.shape[x.shape.length - 1]!;
  const outs = [backend.makeOutput(x.shape, 'float32'), backend.makeOutput(x.shape, 'float32')];
  const stats = [0, 1, 2].map(() => backend.makeOutput([channels], 'float32'));
  if (tf.util.sizeFromShape(x.shape) > 0) {
    const [xv, gv, bv, y, xhat, mean, variance, rstd] = views(backend, [x, gamma, beta, ...outs, ...stats]);
    native.addon.batchNormForward(xv!, channels, gv!, bv!, attrs.epsilon as number, y!, xhat!, mean!, variance!, rstd!, native.threads);
  }
  return [...outs, ...stats];
}

/** Its gradient: one native call, two passes over dy and x̂. */
export function batchNormTrainingGradNative({ inputs, backend }: KernelArgs): tf.TensorInfo[] {
  const native = requireNative(BATCH_NORM_TRAINING_GRAD, backend);
  const { dy, xhat, gamma, rstd } = inputs as { dy: tf.TensorInfo; xhat: tf.TensorInfo; gamma: tf.TensorInfo; rstd: tf.TensorInfo };
  const channels = dy.shape[dy.shape.length - 1]!;
  const outs = [backend.makeOutput(dy.shape, 'float32'), backend.makeOutput([channels], 'float32'), backend.makeOutput([channels], 'float32')];
  if (tf.util.sizeFromShape(dy.shape) > 0) {
    const [dyv, xhatv, gv, rv, dx, dgamma, dbeta] = views(backend, [dy, xhat, gamma, rstd, ...outs]);
    native.addon.batchNormBackward(dyv!, xhatv!, channels, gv!, rv!, dx!, dgamma!, dbeta!, native.threads);
  }
  return outs;
}

export const batchNormTrainingNativeConfig: tf.KernelConfig = {
  kernelName: BATCH_NORM_TRAINING,
  backendName: 'wasm',
  kernelFunc: batchNormTrainingNative as unknown as tf.KernelFunc,
};

export const batchNormTrainingGradNativeConfig: tf.KernelConfig = {
  kernelName: BATCH_NORM_TRAINING_GRAD,
  backendName: 'wasm',
  kernelFunc: batchNormTrainingGradNative as unknown as tf.KernelFunc,
};
