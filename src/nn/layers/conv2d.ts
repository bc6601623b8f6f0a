import * as tf from '../../util/tfjs.js';
import { heNormalFanOut } from '../init.js';
import type { Scope } from '../parameters.js';
import { magnitudeAwareSign } from '../quantizers/magnitude-aware-sign.js';
import type { BatchNormTrainingResult } from './batch-norm-training.js';
import { signConvBatchNorm, type BatchNormParameters } from './sign-conv-batch-norm.js';
import { signConv2d, type SignConvGeometry } from './sign-conv2d.js';

export interface Conv2dOptions {
  inChannels: number;
  outChannels: number;
  kernel: number;
  stride: number;
  dilation?: number;
  /** true: weights α·sign(W) per output channel (`magnitudeAwareSign`); false: float weights. */
  binary: boolean;
}

/**
 * 2-D convolution, NHWC input, HWIO `weight`, no bias (a BN always follows).
 *
 * Padding is `dilation·(kernel−1)/2` zeros on every side (PyTorch's symmetric convention), so
 * out = floor((in − 1)/stride) + 1. For a binary conv the zeros are not ±1: the packed engine must
 * correct border positions to match this simulation. Input quantization is the caller's (one
 * quantized input can feed several convs, as in LBD).
 */
export class Conv2d {
  readonly weight: tf.Variable;
  readonly options: Required<Conv2dOptions>;

  constructor(scope: Scope, options: Conv2dOptions) {
    this.options = { dilation: 1, ...options };
    const { kernel, inChannels, outChannels } = this.options;
    this.weight = scope.param('weight', [kernel, kernel, inChannels, outChannels], heNormalFanOut(kernel * kernel * outChannels), true);
  }

  /** The weights the convolution actually uses (binarized and scaled for a binary conv). */
  effectiveWeight(): tf.Tensor4D {
    return this.options.binary ? magnitudeAwareSign(this.weight as tf.Tensor4D) : (this.weight as tf.Tensor4D);
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    return this.convolve(x, this.effectiveWeight());
  }

  /** This layer's geometry (stride, padding, dilation) with other weights of the same shape. */
  convolve(x: tf.Tensor4D, weight: tf.Tensor4D): tf.Tensor4D {
    const { stride, pad, dilation } = this.geometry();
    return tf.conv2d(x, weight, stride, pad, 'NHWC', dilation);
  }

  /** `convolve(steSign(x), weight)` as one op (see signConv2d): 1-bit activations with the clipped STE. */
  convolveSign(x: tf.Tensor4D, weight: tf.Tensor4D): tf.Tensor4D {
    const { stride, pad, dilation } = this.geometry();
    return signConv2d(x, weight, stride, pad, dilation);
  }

  /** `convolveSign` and a training-mode BN (+ residual) after it, as one op where the backend fuses them (see signConvBatchNorm). */
  convolveSignNormalized(x: tf.Tensor4D, weight: tf.Tensor4D, norm: BatchNormParameters, residual?: tf.Tensor4D): BatchNormTrainingResult {
    return signConvBatchNorm(x, weight, this.geometry(), norm, residual);
  }

  private geometry(): SignConvGeometry {
    const { kernel, stride, dilation } = this.options;
    return { stride, pad: (dilation * (kernel - 1)) / 2, dilation };
  }
}
