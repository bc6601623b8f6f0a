import * as tf from '../../util/tfjs.js';
import { isDilationAware, type ConvAttrs } from './conv-geometry.js';

type Conv2DAttrs = Required<Pick<ConvAttrs, 'strides' | 'pad' | 'dataFormat' | 'dilations'>> & Pick<ConvAttrs, 'dimRoundingMode'>;

function pair(value: number | [number, number]): [number, number] {
  return typeof value === 'number' ? [value, value] : value;
}

/** Do the active backend's backprop kernels take a `dilations` attribute? (ours do; tfjs' own ignore it) */
function backendTakesDilations(): boolean {
  const backend = tf.getBackend();
  return (
    isDilationAware(tf.getKernel('Conv2DBackpropInput', backend)?.kernelFunc) && isDilationAware(tf.getKernel('Conv2DBackpropFilter', backend)?.kernelFunc)
  );
}

/** A filter with d − 1 zeros between taps: dilation-d convolution = dilation-1 convolution with it. */
function insertZeros(filter: tf.Tensor4D, [dh, dw]: [number, number]): tf.Tensor4D {
  const [kh, kw, ci, co] = filter.shape;
  return filter
    .reshape([kh, 1, kw, 1, ci, co])
    .pad([
      [0, 0],
      [0, dh - 1],
      [0, 0],
      [0, dw - 1],
      [0, 0],
      [0, 0],
    ])
    .reshape([kh * dh, kw * dw, ci, co])
    .slice([0, 0, 0, 0], [(kh - 1) * dh + 1, (kw - 1) * dw + 1, ci, co]) as tf.Tensor4D;
}

/** The inverse: the gradient at real taps of a zero-inserted filter's gradient. */
function takeTaps(grad: tf.Tensor4D, [dh, dw]: [number, number], [kh, kw]: [number, number]): tf.Tensor4D {
  const [eh, ew, ci, co] = grad.shape;
  return grad
    .pad([
      [0, kh * dh - eh],
      [0, kw * dw - ew],
      [0, 0],
      [0, 0],
    ])
    .reshape([kh, dh, kw, dw, ci, co])
    .slice([0, 0, 0, 0, 0, 0], [kh, 1, kw, 1, ci, co])
    .reshape([kh, kw, ci, co]);
}

/**
 * Conv2D's gradient with dilation support. tfjs' own refuses dilations > 1 ("not yet supported in
 * gradients"), so atrous convolutions could not train. With dilation 1 this computes exactly what
 * tfjs' does. With dilation > 1 it passes `dilations` to our wasm kernels, which run it natively;
 * on other backends it differentiates the equivalent zero-inserted filter with their stock kernels.
 */
export const conv2DGradientConfig: tf.GradConfig = {
  kernelName: 'Conv2D',
  inputsToSave: ['x', 'filter'],
  gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
    const [x, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
    const { strides, pad, dataFormat, dilations, dimRoundingMode } = attrs as unknown as Conv2DAttrs;
    const dilation = pair(dilations);
    const common = { strides, pad, dataFormat, dimRoundingMode };
    const run = (name: string, inputs: tf.NamedTensorMap, kernelAttrs: object): tf.Tensor4D =>
      tf.engine().runKernel(name, inputs, kernelAttrs as tf.NamedAttrMap) as tf.Tensor4D;

    if ((dilation[0] === 1 && dilation[1] === 1) || backendTakesDilations()) {
      return {
        x: () => run('Conv2DBackpropInput', { dy: dy as tf.Tensor, filter }, { ...common, dilations, inputShape: x.shape }),
        filter: () => run('Conv2DBackpropFilter', { x, dy: dy as tf.Tensor }, { ...common, dilations, filterShape: filter.shape }),
      };
    }
    const dilated = (): tf.Tensor4D => insertZeros(filter, dilation);
    const dilatedShape: [number, number, number, number] = [
      (filter.shape[0] - 1) * dilation[0] + 1,
      (filter.shape[1] - 1) * dilation[1] + 1,
      filter.shape[2],
      filter.shape[3],
    ];
    return {
      x: () => run('Conv2DBackpropInput', { dy: dy as tf.Tensor, filter: dilated() }, { ...common, inputShape: x.shape }),
      filter: () =>
        takeTaps(run('Conv2DBackpropFilter', { x, dy: dy as tf.Tensor }, { ...common, filterShape: dilatedShape }), dilation, [
          filter.shape[0],
          filter.shape[1],
        ]),
    };
  },
};

/**
 * Make every backend differentiate dilated conv2d (tfjs' gradient refuses). Idempotent; global to
 * tfjs, as gradients are not per backend; identical to tfjs' gradient for dilation 1.
 */
export function registerConv2DGradient(): void {
  if (tf.getGradient('Conv2D') !== conv2DGradientConfig) tf.registerGradient(conv2DGradientConfig);
}
