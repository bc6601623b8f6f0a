/**
 * One base's copy of one block inside the supernet. It is the binary form of the nn blocks
 * (BasicBlock, PlainBlock, BottleneckBlock, SkipBlock) with what the architecture weights decide passed in at
 * call time: the input quantizer (mixed activation bits), channel masks (stage widths; the block
 * is built at its stage's widest choice, see channel-mask.ts) and a distribution over dilations.
 * Parameter names and op order are the nn blocks', so weights move to `buildModel(derivedArch)`
 * (sliced to the derived widths) and one-hot mixes compute the same values.
 */
import * as tf from '../util/tfjs.js';
import { avgPool } from '../nn/layers/avg-pool.js';
import { BatchNorm } from '../nn/layers/batch-norm.js';
import { Conv2d } from '../nn/layers/conv2d.js';
import type { Scope } from '../nn/parameters.js';
import type { BlockSpec } from '../nn/blocks/block.js';
import { binaryWeightOverKept, maskChannels, maskInputChannels } from './channel-mask.js';
import { addMaps, mixMaps } from './map-mix.js';

/** An nn block's spec without what the supernet decides per call (the quantizer) or never uses (LBD). */
export type SuperBlockSpec = Omit<BlockSpec, 'quantizer' | 'convBases'>;

export type Quantize = (x: tf.Tensor4D) => tf.Tensor4D;

/** Per-call choices of a block: absent fields mean "as built" (no mask, the spec's dilation). */
export interface BlockChoices {
  quantize: Quantize;
  /** Mask over the block's input channels (the previous block's output mask). */
  inMask?: tf.Tensor1D;
  /** Mask over the stage's (inner) width. */
  widthMask?: tf.Tensor1D;
  /** Dilations of the main k×k convs and their probabilities (one conv per rate, same weights, mixed). */
  dilation?: { rates: readonly number[]; p: tf.Tensor1D };
  /** For a `mixed` shortcut: P(the derived block's shortcut is the identity, i.e. stride 1 and c_in = c_out). */
  identity?: tf.Scalar;
  /**
   * Whether the pass differentiates the structure weights (default true). False (a weight step):
   * masks and dilation probabilities are constants, so masks scale the conv weights rather than the
   * activations and the dilation mix keeps no maps for a gradient nobody asks for.
   */
  alphaGradient?: boolean;
}

/**
 * The residual shortcut a block needs across the space's widths: nn uses the identity when stride
 * is 1 and c_in = c_out, a projection otherwise. `mixed`: some architectures have each; the
 * supernet holds the projection and mixes P(identity)·x + (1 − P(identity))·projection(x).
 */
export type ShortcutKind = 'identity' | 'projection' | 'mixed';

/** `quantize → binary conv → BN`, named `conv.weight`, `bn.*` like nn's ConvUnit with one conv. */
class BinaryUnit {
  readonly conv: Conv2d;
  readonly bn: BatchNorm;

  /** Run dilations > 1 as one dilated conv (the backend differentiates it) rather than through space-to-batch. */
  private readonly directDilation: boolean;

  constructor(
    scope: Scope,
    inChannels: number,
    outChannels: number,
    kernel: number,
    stride: number,
    dilation: number,
    bnMomentum: number,
    readonly dilated: boolean,
  ) {
    this.conv = new Conv2d(scope.child('conv'), { inChannels, outChannels, kernel, stride, dilation, binary: true });
    this.bn = new BatchNorm(scope.child('bn'), outChannels, bnMomentum);
    this.directDilation = dilated && backendDifferentiatesDilation();
  }

  apply(x: tf.Tensor4D, training: boolean, choices: BlockChoices, inMask: tf.Tensor1D | undefined): tf.Tensor4D {
    const { quantize, dilation } = choices;
    const alphaGradient = choices.alphaGradient ?? true;
    const binary = inMask === undefined ? this.conv.effectiveWeight() : binaryWeightOverKept(this.conv.weight as tf.Tensor4D, inMask);
    const q = alphaGradient ? maskChannels(quantize(x), inMask) : quantize(x);
    const weight = alphaGradient ? binary : maskInputChannels(binary, inMask);
    let y: tf.Tensor4D;
    if (!this.dilated || dilation === undefined) y = this.conv.convolve(q, weight);
    else if (dilation.rates.length === 1) y = this.convolveAt(q, weight, dilation.rates[0]!);
    else if (alphaGradient)
      y = mixMaps(
        dilation.rates.map((d) => this.convolveAt(q, weight, d)),
        dilation.p,
      );
    else {
      // P(d) constant: scale the weights, not the outputs (conv is linear in them), and add the maps.
      const p = tf.unstack(dilation.p);
      y = dilation.rates.map((d, r) => this.convolveAt(q, tf.mul(weight, p[r]!) as tf.Tensor4D, d)).reduce((sum, m) => addMaps(sum, m));
    }
    return this.bn.apply(y, training);
  }

  /** nn's Conv2d geometry at another dilation (padding d·(k−1)/2 per side). */
  private convolveAt(x: tf.Tensor4D, weight: tf.Tensor4D, dilation: number): tf.Tensor4D {
    const { kernel, stride } = this.conv.options;
    if (dilation === 1 || this.directDilation) return tf.conv2d(x, weight, stride, (dilation * (kernel - 1)) / 2, 'NHWC', dilation);
    return atrousConv(x, weight, dilation);
  }
}

/** Per backend: does it differentiate a dilated conv2d natively? */
const dilationGradients = new Map<string, boolean>();

/**
 * Whether the active backend trains a dilated conv2d directly: groupnas' wasm kernels run the
 * dilated gradients natively (src/backend registers them; a 3×3 conv at d = 2 stays 9 taps), so
 * there the conv needs no space-to-batch reshuffle. Elsewhere tfjs refuses the gradient or
 * differentiates a zero-inserted (d·(k−1)+1)² filter, slower than space-to-batch. Probed once per
 * backend on a tiny conv (call outside any gradient tape: from a constructor).
 */
export function backendDifferentiatesDilation(): boolean {
  const backend = tf.getBackend();
  let direct = dilationGradients.get(backend);
  if (direct === undefined) {
    direct = backend === 'wasm' && dilatedGradientRuns();
    dilationGradients.set(backend, direct);
  }
  return direct;
}

function dilatedGradientRuns(): boolean {
  try {
    tf.tidy(() => {
      const grads = tf.grads((x: tf.Tensor, w: tf.Tensor) => tf.sum(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 2, 'NHWC', 2)));
      for (const g of grads([tf.ones([1, 5, 5, 1]), tf.ones([3, 3, 1, 1])])) g.dataSync();
    });
    return true;
  } catch {
    return false;
  }
}

/**
 * A stride-1 conv at dilation d with d·(k−1)/2 zeros per side, as TensorFlow builds atrous convs:
 * space-to-batch splits the padded map into d×d phase grids, an ordinary (undilated, valid) conv
 * runs on each, batch-to-space interleaves them back. Same products as `tf.conv2d(…, d)`, but
 * differentiable: tfjs has no conv2D gradient for dilation > 1.
 */
export function atrousConv(x: tf.Tensor4D, weight: tf.Tensor4D, d: number): tf.Tensor4D {
  const kernel = weight.shape[0];
  const pad = (d * (kernel - 1)) / 2;
  // Extra zeros at the end make every padded side a multiple of d; the output keeps them as rows to crop.
  const extra = (side: number) => (d - ((side + 2 * pad) % d)) % d;
  const [eh, ew] = [extra(x.shape[1]), extra(x.shape[2])];
  const phases = tf.spaceToBatchND(
    x,
    [d, d],
    [
      [pad, pad + eh],
      [pad, pad + ew],
    ],
  );
  const y = tf.conv2d(phases as tf.Tensor4D, weight, 1, 'valid');
  return tf.batchToSpaceND(
    y,
    [d, d],
    [
      [0, eh],
      [0, ew],
    ],
  ) as tf.Tensor4D;
}

export class SuperBlock {
  readonly outChannels: number;
  readonly units: BinaryUnit[];
  /** The full-precision projection shortcut (avg-pool if strided → conv 1×1 → BN); absent = identity (or none, plain). */
  readonly projection: { conv: Conv2d; bn: BatchNorm } | undefined;

  constructor(
    scope: Scope,
    readonly spec: SuperBlockSpec,
    readonly shortcutKind: ShortcutKind = 'identity',
  ) {
    const { kind, inChannels, width, stride, kernel, dilation, bnMomentum } = spec;
    const unit = (name: string, cin: number, cout: number, k: number, s: number, d: number) =>
      new BinaryUnit(scope.child(name), cin, cout, k, s, d, bnMomentum, k > 1);
    if (kind === 'basic') {
      this.outChannels = width;
      this.units = [unit('unit1', inChannels, width, kernel, stride, dilation), unit('unit2', width, width, kernel, 1, dilation)];
    } else if (kind === 'bottleneck') {
      this.outChannels = 4 * width;
      this.units = [unit('unit1', inChannels, width, 1, 1, 1), unit('unit2', width, width, kernel, stride, dilation), unit('unit3', width, 4 * width, 1, 1, 1)];
    } else if (kind === 'plain') {
      this.outChannels = width;
      this.units = [unit('unit1', inChannels, width, kernel, stride, dilation)];
    } else {
      this.outChannels = width;
      this.units = [];
    }
    // Named like nn's Shortcut (`shortcut.conv.weight`, `shortcut.bn.*`); built here because a
    // `mixed` block needs the projection even where the widest shapes agree.
    const projects = kind !== 'plain' && (shortcutKind !== 'identity' || stride !== 1 || inChannels !== this.outChannels);
    if (projects) {
      const s = scope.child('shortcut');
      this.projection = {
        conv: new Conv2d(s.child('conv'), { inChannels, outChannels: this.outChannels, kernel: 1, stride: 1, binary: false }),
        bn: new BatchNorm(s.child('bn'), this.outChannels, bnMomentum),
      };
    }
  }

  apply(x: tf.Tensor4D, training: boolean, choices: BlockChoices): tf.Tensor4D {
    const { inMask, widthMask } = choices;
    const [u1, u2, u3] = this.units;
    switch (this.spec.kind) {
      case 'basic': {
        const y = addMaps(u1!.apply(x, training, choices, inMask), this.applyShortcut(x, training, choices));
        return addMaps(u2!.apply(y, training, choices, widthMask), y);
      }
      case 'bottleneck': {
        const b = u2!.apply(u1!.apply(x, training, choices, inMask), training, choices, widthMask);
        return addMaps(u3!.apply(b, training, choices, widthMask), this.applyShortcut(x, training, choices));
      }
      case 'plain':
        return u1!.apply(x, training, choices, inMask);
      case 'skip':
        return this.applyShortcut(x, training, choices);
    }
  }

  /** nn's Shortcut (the projection's input channels masked like the convs'), mixed with the identity for a `mixed` block. */
  private applyShortcut(x: tf.Tensor4D, training: boolean, choices: BlockChoices): tf.Tensor4D {
    const p = this.projection;
    if (p === undefined) return x;
    const stride = this.spec.stride;
    // The input mask commutes with the average pool; a weight step puts it on the 1×1 weights.
    const alphaGradient = choices.alphaGradient ?? true;
    const masked = alphaGradient ? maskChannels(x, choices.inMask) : x;
    const pooled = stride === 1 ? masked : avgPool(masked, 2, stride, training);
    const weight = alphaGradient ? p.conv.effectiveWeight() : maskInputChannels(p.conv.effectiveWeight(), choices.inMask);
    const projected = p.bn.apply(p.conv.convolve(pooled, weight), training);
    if (this.shortcutKind !== 'mixed') return projected;
    const identity = choices.identity;
    if (identity === undefined) throw new Error('super block: a mixed shortcut needs P(identity)');
    return mixMaps([fitChannels(x, this.outChannels), projected], tf.stack([identity, tf.sub(1, identity)]) as tf.Tensor1D, {
      coefficientGradient: alphaGradient,
    });
  }
}

/** `x` with its channels cut or zero-padded to `channels` (an identity shortcut between the widest shapes of different stages). */
function fitChannels(x: tf.Tensor4D, channels: number): tf.Tensor4D {
  const c = x.shape[3];
  if (c === channels) return x;
  if (c > channels) return tf.slice(x, [0, 0, 0, 0], [-1, -1, -1, channels]);
  return tf.pad(x, [
    [0, 0],
    [0, 0],
    [0, 0],
    [0, channels - c],
  ]);
}
