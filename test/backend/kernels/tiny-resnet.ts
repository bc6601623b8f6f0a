/**
 * A tiny ResNet-like net built from plain tf ops, the shape of reference network R at toy size:
 * stem conv3×3 + batchnorm (training mode) + relu; basic residual blocks whose strided ones
 * take an avg-pool + conv1×1 + batchnorm shortcut; global average pool; dense; softmax cross-entropy.
 * Weights come from a seed on the host, so every backend starts from identical values.
 */
import * as tf from '../../helpers/tfjs.js';
import { createRng, randomNormal } from '../../../src/util/random.js';

export interface TinyResNetSpec {
  inputSize: number;
  inChannels: number;
  widths: number[];
  strides: number[];
  classes: number;
  /** Binary-net ops in the blocks: sign activations/weights with straight-through gradients, clip and round. */
  binary?: boolean;
}

interface BatchNormParams {
  gamma: tf.Variable;
  beta: tf.Variable;
}

interface Block {
  stride: number;
  conv1: tf.Variable;
  bn1: BatchNormParams;
  conv2: tf.Variable;
  bn2: BatchNormParams;
  shortcut?: { conv: tf.Variable; bn: BatchNormParams };
}

export interface TinyResNet {
  variables: tf.Variable[];
  /** Mean softmax cross-entropy of the batch. */
  loss(x: tf.Tensor4D, labels: tf.Tensor2D): tf.Scalar;
  dispose(): void;
}

type CustomGradientFunc = Parameters<typeof tf.customGrad>[0];

/** sign(x) forward, identity gradient where |x| ≤ 1 (larq's ste_sign); sign(0) = +1. */
const steSign = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
  save([x]);
  const value = tf.where(tf.greaterEqual(x, 0), tf.onesLike(x), tf.onesLike(x).neg());
  return {
    value,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => dy.mul(tf.lessEqual(tf.abs(saved[0]!), 1).cast('float32')),
  };
}) as CustomGradientFunc) as (x: tf.Tensor) => tf.Tensor;

/** round(x) forward, identity gradient. */
const steRound = tf.customGrad(((x: tf.Tensor) => ({ value: tf.round(x), gradFunc: (dy: tf.Tensor) => dy })) as CustomGradientFunc) as (
  x: tf.Tensor,
) => tf.Tensor;

export function buildTinyResNet(spec: TinyResNetSpec, seed: number): TinyResNet {
  const rng = createRng(seed);
  const variables: tf.Variable[] = [];
  const variable = (shape: number[], scale: number): tf.Variable => {
    const size = shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(size);
    for (let i = 0; i < size; i++) values[i] = randomNormal(rng) * scale;
    const v = tf.tidy(() => tf.variable(tf.tensor(values, shape))); // tidy frees the initial value, keeps the variable
    variables.push(v);
    return v;
  };
  const conv = (k: number, ci: number, co: number): tf.Variable => variable([k, k, ci, co], Math.sqrt(2 / (k * k * ci)));
  const batchNorm = (c: number): BatchNormParams => {
    const gamma = tf.tidy(() => tf.variable(tf.ones([c])));
    const beta = tf.tidy(() => tf.variable(tf.zeros([c])));
    variables.push(gamma, beta);
    return { gamma, beta };
  };

  const stem = { conv: conv(3, spec.inChannels, spec.widths[0]!), bn: batchNorm(spec.widths[0]!) };
  const blocks: Block[] = [];
  let channels = spec.widths[0]!;
  spec.widths.forEach((width, i) => {
    const stride = spec.strides[i]!;
    const block: Block = { stride, conv1: conv(3, channels, width), bn1: batchNorm(width), conv2: conv(3, width, width), bn2: batchNorm(width) };
    if (stride !== 1 || width !== channels) block.shortcut = { conv: conv(1, channels, width), bn: batchNorm(width) };
    blocks.push(block);
    channels = width;
  });
  const dense = variable([channels, spec.classes], 0.3);
  const bias = tf.tidy(() => tf.variable(tf.zeros([spec.classes])));
  variables.push(bias);

  const bn = (x: tf.Tensor4D, p: BatchNormParams): tf.Tensor4D => {
    const { mean, variance } = tf.moments(x, [0, 1, 2]);
    return tf.batchNorm(x, mean, variance, p.beta, p.gamma, 1e-5) as tf.Tensor4D;
  };

  const shortcutOf = (h: tf.Tensor4D, b: Block): tf.Tensor4D => {
    if (!b.shortcut) return h;
    const pooled = b.stride > 1 ? tf.avgPool(h, b.stride, b.stride, 'same') : h;
    return bn(tf.conv2d(pooled, b.shortcut.conv as tf.Tensor4D, 1, 'same'), b.shortcut.bn);
  };

  // Full precision: conv-bn-relu-conv-bn, add the shortcut, relu.
  const floatBlock = (h: tf.Tensor4D, b: Block): tf.Tensor4D => {
    const y = bn(tf.conv2d(tf.relu(bn(tf.conv2d(h, b.conv1 as tf.Tensor4D, b.stride, 'same'), b.bn1)), b.conv2 as tf.Tensor4D, 1, 'same'), b.bn2);
    return tf.relu(y.add(shortcutOf(h, b)));
  };

  // Binary (Bi-Real style): two units sign → binary conv → bn, each with its shortcut added after bn.
  const binaryBlock = (h: tf.Tensor4D, b: Block): tf.Tensor4D => {
    const u = bn(binaryConv(h, b.conv1, b.stride), b.bn1).add(shortcutOf(h, b)) as tf.Tensor4D;
    return bn(binaryConv(u, b.conv2, 1), b.bn2).add(u) as tf.Tensor4D;
  };

  // sign(x) * α·sign(clip(w)), α = mean |w| per output channel.
  const binaryConv = (x: tf.Tensor4D, w: tf.Variable, stride: number): tf.Tensor4D => {
    const alpha = tf.mean(tf.abs(w), [0, 1, 2]);
    const weights = steSign(tf.clipByValue(w, -1.5, 1.5)).mul(alpha) as tf.Tensor4D;
    return tf.conv2d(steSign(x) as tf.Tensor4D, weights, stride, 'same');
  };

  // 4-bit activation quantizer: clip to [0, β = 2], round to 15 levels, straight-through.
  const quantize = (x: tf.Tensor4D): tf.Tensor4D => steRound(tf.clipByValue(x, 0, 2).mul(7.5)).div(7.5) as tf.Tensor4D;

  const forward = (x: tf.Tensor4D): tf.Tensor2D => {
    let h: tf.Tensor4D = tf.relu(bn(tf.conv2d(x, stem.conv as tf.Tensor4D, 1, 'same'), stem.bn));
    if (spec.binary) h = quantize(h);
    for (const b of blocks) h = spec.binary ? binaryBlock(h, b) : floatBlock(h, b);
    return tf.mean(h, [1, 2]).matMul(dense).add(bias) as tf.Tensor2D;
  };

  return {
    variables,
    loss: (x, labels) => tf.losses.softmaxCrossEntropy(labels, forward(x)) as tf.Scalar,
    dispose: () => tf.dispose(variables),
  };
}
