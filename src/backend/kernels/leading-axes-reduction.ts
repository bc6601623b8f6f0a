import * as tf from '../../util/tfjs.js';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { replacementKernel, runStockKernel } from './stock-kernels.js';
import { withWasmKernelScope } from './wasm-kernel-scope.js';

/** How many leading axes `axis` reduces, if it is exactly the axes 0..k−1 with 0 < k < rank; else null. */
export function leadingAxesCount(shape: readonly number[], axis: number | number[] | undefined): number | null {
  if (axis === undefined) return null;
  const rank = shape.length;
  const axes = [...new Set((Array.isArray(axis) ? axis : [axis]).map((a) => (a < 0 ? a + rank : a)))].sort((a, b) => a - b);
  if (axes.length === 0 || axes.length >= rank) return null;
  return axes.every((a, i) => a === i) ? axes.length : null;
}

/**
 * Sum and Mean over leading axes (e.g. [0, 1, 2] of NHWC: batch-norm statistics and their
 * gradients, bias gradients) on the wasm backend, as one matrix–vector product XNNPACK runs at
 * memory speed: x viewed as [M, C], reduced by xᵀ · w with w = 1 (sum) or 1/M (mean). The
 * stock kernels first transpose the reduced axes innermost, 2–3× slower. Other reductions go to
 * the stock kernels.
 */
function reductionKernel(kernelName: 'Sum' | 'Mean'): tf.KernelConfig {
  const kernelFunc = (args: { inputs: tf.NamedTensorInfoMap; backend: BackendWasm; attrs: { axis: number | number[]; keepDims: boolean } }): tf.TensorInfo => {
    const x = args.inputs['x'] as tf.TensorInfo;
    const k = leadingAxesCount(x.shape, args.attrs.axis);
    const outer = k === null ? 0 : x.shape.slice(0, k).reduce((a, b) => a * b, 1);
    const innerShape = k === null ? [] : x.shape.slice(k);
    const inner = innerShape.reduce((a, b) => a * b, 1);
    if (x.dtype !== 'float32' || k === null || outer === 0 || inner === 0) return runStockKernel(kernelName, args);
    const outShape = args.attrs.keepDims ? [...new Array<number>(k).fill(1), ...innerShape] : innerShape;

    return withWasmKernelScope(args.backend, (scope) => {
      const weights = scope.allocate([outer, 1]);
      scope.view(weights).fill(kernelName === 'Mean' ? 1 / outer : 1);
      const matrix = scope.reshape(x, [outer, inner]);
      const reduced = scope.run('BatchMatMul', { a: matrix, b: weights }, { transposeA: true, transposeB: false });
      return scope.reshape(reduced, outShape);
    });
  };
  return replacementKernel(kernelName, kernelFunc);
}

export const sumWasmConfig = reductionKernel('Sum');
export const meanWasmConfig = reductionKernel('Mean');
