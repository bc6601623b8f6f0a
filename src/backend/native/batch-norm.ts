import * as tf from '../../util/tfjs.js';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { BATCH_NORM_TRAINING, BATCH_NORM_TRAINING_GRAD } from '../../util/kernel-names.js';
import { heapF32, requireNativeTraining, type WasmKernelArgs } from './native-training.js';

/** Views of every tensor, taken after the outputs are made (see heapF32). */
function views(backend: BackendWasm, infos: tf.TensorInfo[]): Float32Array[] {
  return infos.map((t) => heapF32(backend, t));
}

/** Training-mode batch norm (see kernel-names.ts), plus the optional `residual` and ReLU: one native call, three passes over x. */
export function batchNormTrainingNative({ inputs, backend, attrs }: WasmKernelArgs): tf.TensorInfo[] {
  const native = requireNativeTraining(BATCH_NORM_TRAINING, backend);
  const { x, gamma, beta, residual } = inputs as { x: tf.TensorInfo; gamma: tf.TensorInfo; beta: tf.TensorInfo; residual?: tf.TensorInfo };
  if (residual !== undefined && !tf.util.arraysEqual(residual.shape, x.shape)) {
    throw new Error(`groupnas: ${BATCH_NORM_TRAINING}: residual shape [${residual.shape.join(', ')}] is not x's [${x.shape.join(', ')}]`);
  }
  const channels = x.shape[x.shape.length - 1]!;
  const y = backend.makeOutput(x.shape, 'float32');
  const stats = [0, 1, 2].map(() => backend.makeOutput([channels], 'float32'));
  if (tf.util.sizeFromShape(x.shape) > 0) {
    const [xv, gv, bv, yv, mean, variance, rstd] = views(backend, [x, gamma, beta, y, ...stats]);
    const rv = residual === undefined ? null : heapF32(backend, residual);
    native.addon.batchNormForward(xv!, channels, gv!, bv!, attrs.epsilon as number, yv!, mean!, variance!, rstd!, native.threads, rv, attrs.relu === true);
  }
  return [y, ...stats];
}

/** Its gradient: one native call, two passes over dy and x (and the ReLU's output when the forward applied one). */
export function batchNormTrainingGradNative({ inputs, backend, attrs }: WasmKernelArgs): tf.TensorInfo[] {
  const native = requireNativeTraining(BATCH_NORM_TRAINING_GRAD, backend);
  const { dy, x, mean, gamma, rstd, reluY } = inputs as {
    dy: tf.TensorInfo;
    x: tf.TensorInfo;
    mean: tf.TensorInfo;
    gamma: tf.TensorInfo;
    rstd: tf.TensorInfo;
    reluY?: tf.TensorInfo;
  };
  if (reluY !== undefined && !tf.util.arraysEqual(reluY.shape, dy.shape)) {
    throw new Error(`groupnas: ${BATCH_NORM_TRAINING_GRAD}: reluY shape [${reluY.shape.join(', ')}] is not dy's [${dy.shape.join(', ')}]`);
  }
  const channels = dy.shape[dy.shape.length - 1]!;
  const outs = [backend.makeOutput(dy.shape, 'float32'), backend.makeOutput([channels], 'float32'), backend.makeOutput([channels], 'float32')];
  if (reluY !== undefined && attrs.residualGradient === true) outs.push(backend.makeOutput(dy.shape, 'float32'));
  if (tf.util.sizeFromShape(dy.shape) > 0) {
    const [dyv, xv, mv, gv, rv, dx, dgamma, dbeta, maskedDy] = views(backend, [dy, x, mean, gamma, rstd, ...outs]);
    const reluYv = reluY === undefined ? null : heapF32(backend, reluY);
    native.addon.batchNormBackward(dyv!, xv!, mv!, channels, gv!, rv!, dx!, dgamma!, dbeta!, native.threads, reluYv, maskedDy ?? null);
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
