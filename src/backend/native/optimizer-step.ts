import * as tf from '../../util/tfjs.js';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { OPTIMIZER_STEP, type OptimizerStepRule } from '../../util/kernel-names.js';
import { activeNativeTraining, wasmHeap } from './native-training.js';

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: BackendWasm; attrs: tf.NamedAttrMap };

/** One parameter's update (see OPTIMIZER_STEP): [w', slots'] from w, its gradient and its slots, one native call. */
export function optimizerStepNative({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo[] {
  const native = activeNativeTraining(wasmHeap(backend));
  if (native === undefined) throw new Error(`groupnas: ${OPTIMIZER_STEP} runs only while the native training kernels are in use`);
  const rule = attrs.rule as unknown as OptimizerStepRule;
  const slots = rule.kind === 1 ? [inputs.s0!, inputs.s1!] : [inputs.s0!];
  const { w, grad } = inputs as { w: tf.TensorInfo; grad: tf.TensorInfo };
  const outs = [w, ...slots].map(() => backend.makeOutput(w.shape, 'float32'));
  if (tf.util.sizeFromShape(w.shape) > 0) {
    const view = (t: tf.TensorInfo) => backend.typedArrayFromHeap(t) as Float32Array;
    native.addon.optimizerStep(rule, view(w), view(grad), slots.map(view), view(outs[0]!), outs.slice(1).map(view), native.threads);
  }
  return outs;
}

export const optimizerStepNativeConfig: tf.KernelConfig = {
  kernelName: OPTIMIZER_STEP,
  backendName: 'wasm',
  kernelFunc: optimizerStepNative as unknown as tf.KernelFunc,
};
