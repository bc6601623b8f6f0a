import * as tf from '../util/tfjs.js';
import { conv2DBackpropFilterWasmConfig } from './kernels/conv2d-backprop-filter.js';
import { conv2DBackpropInputWasmConfig } from './kernels/conv2d-backprop-input.js';
import { registerConv2DGradient } from './kernels/conv2d-gradient.js';
import { avgPoolGradWasmConfig } from './kernels/avg-pool-grad.js';
import { batchNormWasmConfig } from './kernels/batch-norm.js';
import { castWasmConfig } from './kernels/cast.js';
import { comparisonWasmConfigs } from './kernels/comparison.js';
import { meanWasmConfig, sumWasmConfig } from './kernels/leading-axes-reduction.js';
import { identityWasmConfig } from './kernels/identity.js';
import { signWasmConfig } from './kernels/sign.js';
import { sliceWasmConfig, splitVWasmConfig } from './kernels/slice.js';
import { rememberStockKernel, stockKernel } from './kernels/stock-kernels.js';
import { addNativeConfig } from './native/add.js';
import { avgPoolTrainingNativeConfig } from './native/avg-pool.js';
import { avgPoolGradNativeConfig } from './native/avg-pool-grad.js';
import { batchNormTrainingGradNativeConfig, batchNormTrainingNativeConfig } from './native/batch-norm.js';
import { conv2DBackpropFilterNativeConfig, conv2DBackpropInputNativeConfig, conv2DNativeConfig } from './native/conv2d.js';
import { optimizerStepNativeConfig } from './native/optimizer-step.js';
import { magnitudeAwareSignGradNativeConfig, magnitudeAwareSignNativeConfig } from './native/magnitude-aware-sign.js';
import { reluGradientConfig, reluGradNativeConfig, reluNativeConfig } from './native/relu.js';
import { meanGradientConfig } from './kernels/mean-gradient.js';
import { mixBasesGradConfig, mixBasesGradNativeConfig, mixBasesNativeConfig } from './native/mix-bases.js';
import { mixedQuantizeGradNativeConfig, mixedQuantizeNativeConfig } from './native/mixed-quantize.js';
import { signConv2DBackpropFilterNativeConfig, signConv2DBackpropInputNativeConfig, signConv2DNativeConfig } from './native/sign-conv2d.js';
import { tileWasmConfig } from './kernels/tile.js';
import { unsortedSegmentSumWasmConfig } from './kernels/unsorted-segment-sum.js';

/**
 * The kernels groupnas adds to (or replaces in) tfjs-backend-wasm so training runs on it, and fast:
 * - Conv2DBackpropFilter: missing from tfjs-backend-wasm 4.22, so no conv net could train.
 * - Conv2DBackpropInput: the stock kernel is a direct loop ~10–20× slower than forward conv.
 * - Tile: the stock kernel is per-element; tf.batchNorm's gradient tiles per layer and dominated a step.
 * - UnsortedSegmentSum: missing from tfjs-backend-wasm; tf.gather's gradient needs it.
 * - Sign: the stock kernel maps every |x| < 1.2e-7 to 0, unlike cpu/TensorFlow (exact zero only).
 * - Less, LessEqual, Greater, GreaterEqual, Equal, NotEqual, LogicalAnd, LogicalOr: the stock
 *   kernels are ~3× slower than a flat loop on same-shape or scalar operands, and straight-through
 *   estimators and clipByValue's gradient run them on every activation.
 * - Cast: stock float32/int32 → bool keeps the low byte (0.5 → false, 256 → false), unlike cpu.
 * - AvgPoolGrad: ~4× faster than stock, and the true gradient at 'same'-padded borders, where
 *   tfjs' stock kernels (cpu and wasm) divide by the full window but the forward by valid pixels.
 * - Sum, Mean over leading axes (batch-norm statistics and gradients): one XNNPACK matrix–vector
 *   product, 2–3× faster than the stock transpose-then-reduce.
 * - FusedBatchNorm with per-channel statistics: a folded scale and shift run by XNNPACK, ~4× faster.
 * - Slice, SplitV: the stock Slice copies its whole input to JavaScript before slicing; splitting
 *   the stacked base outputs at every Group-Net boundary cost ~10% of a training step.
 * - Identity: shares its input's buffer instead of copying it; tfjs clones every tensor a gradient
 *   saves, so the stock kernel held each saved activation twice.
 */
export const WASM_TRAINING_KERNELS: readonly tf.KernelConfig[] = [
  conv2DBackpropFilterWasmConfig,
  conv2DBackpropInputWasmConfig,
  tileWasmConfig,
  unsortedSegmentSumWasmConfig,
  signWasmConfig,
  ...comparisonWasmConfigs,
  castWasmConfig,
  sumWasmConfig,
  meanWasmConfig,
  avgPoolGradWasmConfig,
  batchNormWasmConfig,
  sliceWasmConfig,
  splitVWasmConfig,
  identityWasmConfig,
];

/** Make `config` the wasm backend's kernel for its name, remembering the stock kernel it replaces. */
function install(config: tf.KernelConfig): void {
  const current = tf.getKernel(config.kernelName, 'wasm');
  if (current?.kernelFunc === config.kernelFunc) return;
  if (current !== undefined) {
    rememberStockKernel(current);
    tf.unregisterKernel(config.kernelName, 'wasm');
  }
  tf.registerKernel(config);
}

/**
 * Install groupnas' training kernels for the `wasm` backend, and the Conv2D gradient that
 * supports dilation (see registerConv2DGradient). Idempotent: calling it again changes nothing.
 * Call after importing `@tensorflow/tfjs-backend-wasm`; the backend does not need to be active yet.
 */
export function registerWasmTrainingKernels(): void {
  registerConv2DGradient();
  for (const config of WASM_TRAINING_KERNELS) install(config);
}

/**
 * The kernels the native addon runs instead (src/backend/native): they take over a name while
 * `useTrainingKernels('native')` is in force. Each hands the cases it does not handle (NCHW) to
 * the kernel it replaced.
 */
export const NATIVE_TRAINING_KERNELS: readonly tf.KernelConfig[] = [
  conv2DNativeConfig,
  conv2DBackpropInputNativeConfig,
  conv2DBackpropFilterNativeConfig,
  batchNormTrainingNativeConfig,
  batchNormTrainingGradNativeConfig,
  signConv2DNativeConfig,
  signConv2DBackpropInputNativeConfig,
  signConv2DBackpropFilterNativeConfig,
  mixBasesNativeConfig,
  mixBasesGradNativeConfig,
  mixedQuantizeNativeConfig,
  mixedQuantizeGradNativeConfig,
  optimizerStepNativeConfig,
  avgPoolTrainingNativeConfig,
  avgPoolGradNativeConfig,
  addNativeConfig,
  reluNativeConfig,
  reluGradNativeConfig,
  magnitudeAwareSignNativeConfig,
  magnitudeAwareSignGradNativeConfig,
];

/**
 * Which training kernels the wasm backend runs: the native ones over the JS composites, or the
 * composites (and stock kernels) alone, exactly as without the addon. Switch freely: every
 * name gets back the kernel it had.
 */
export function useTrainingKernels(kind: 'native' | 'wasm'): void {
  registerWasmTrainingKernels();
  // gradients are global to tfjs: MixBases' is only reached through the native kernel's name, ReLU's
  // computes tfjs' own values wherever its fused kernel is not registered, Mean's tfjs' own values
  for (const gradient of [mixBasesGradConfig, reluGradientConfig, meanGradientConfig]) {
    if (tf.getGradient(gradient.kernelName) !== gradient) tf.registerGradient(gradient);
  }
  for (const config of NATIVE_TRAINING_KERNELS) {
    if (kind === 'native') {
      install(config);
    } else {
      if (tf.getKernel(config.kernelName, 'wasm')?.kernelFunc !== config.kernelFunc) continue;
      const replacement = WASM_TRAINING_KERNELS.find((c) => c.kernelName === config.kernelName) ?? stockKernel(config.kernelName);
      // names only ours define (fused ops) go away: their ops fall back to stock ops
      if (replacement !== undefined) install(replacement);
      else tf.unregisterKernel(config.kernelName, 'wasm');
    }
  }
}

export { registerConv2DGradient };
