import * as tf from '../../util/tfjs.js';
import { OPTIMIZER_STEP, type OptimizerStepRule } from '../../util/kernel-names.js';
import { heapF32, requireNativeTraining, type WasmKernelArgs } from './native-training.js';

/** One parameter's update (see OPTIMIZER_STEP): [w', slots'] from w, its gradient and its slots, one native call. */
export function optimizerStepNative({ inputs, backend, attrs }: WasmKernelArgs): tf.TensorInfo[] {
  const native = requireNativeTraining(OPTIMIZER_STEP, backend);
  const rule = attrs.rule as unknown as OptimizerStepRule;
  const slots = rule.kind === 1 ? [inputs.s0!, inputs.s1!] : [inputs.s0!];
  const { w, grad } = inputs as { w: tf.TensorInfo; grad: tf.TensorInfo };
  const outs = [w, ...slots].map(() => backend.makeOutput(w.shape, 'float32'));
  if (tf.util.sizeFromShape(w.shape) > 0) {
    const view = (t: tf.TensorInfo) => heapF32(backend, t);
    native.addon.optimizerStep(rule, view(w), view(grad), slots.map(view), view(outs[0]!), outs.slice(1).map(view), native.threads);
  }
  return outs;
}

export const optimizerStepNativeConfig: tf.KernelConfig = {
  kernelName: OPTIMIZER_STEP,
  backendName: 'wasm',
  kernelFunc: optimizerStepNative as unknown as tf.KernelFunc,
};
