import * as tf from '../util/tfjs.js';
import { DEFAULT_ACTIVATION_CLIP } from '../space/activation-clip.js';
import type { Arch } from '../space/arch.js';
import { baseDilation } from '../space/base-dilation.js';
import { fcnSkipBlock } from '../space/segmentation-backbone.js';
import { activationQuantizerFor, type SignEstimator } from './activation.js';
import { blockOutChannels, type Block } from './blocks/block.js';
import { createBlock } from './blocks/create-block.js';
import { checkArchBuildable } from './check-arch.js';
import { gradientCheckpoint, needsCheckpointing } from './gradient-checkpoint.js';
import { AggregateConnector, SoftConnector, type BaseConnector } from './connections.js';
import { BatchNorm } from './layers/batch-norm.js';
import { Conv2d } from './layers/conv2d.js';
import { Dense } from './layers/dense.js';
import { FcnHeadModule } from './fcn-head.js';
import { ParameterStore, Scope, type Parameter, type StateDict } from './parameters.js';
import type { WeightMode } from './weight-mode.js';

export interface BuildOptions {
  /** Seeds every initial value (each parameter from (seed, its name)). Default 0. */
  seed?: number;
  /** Backward estimator of 1-bit activations: clipped STE (default, DESIGN §3) or Bi-Real's approxSign. */
  signEstimator?: SignEstimator;
  /** Clip β of k-bit activations (supplement S4.1; fixed, not learned). Default: DEFAULT_ACTIVATION_CLIP. */
  activationClip?: number;
  /** BN running-statistics momentum (PyTorch convention). Default 0.1. */
  bnMomentum?: number;
  /**
   * Gradient checkpointing per block (see `gradientCheckpoint`): training keeps one tensor per block instead
   * of ~20 per unit, for one extra forward pass of every block (a K = 5 step at R/2 takes ~1.4× as
   * long). Needed for Group-Net R (K = 5) at batch 64 on wasm, whose 4 GB heap the plain tape
   * overflows. Default `auto`: per training batch, only when the plain tape would not fit
   * (`needsCheckpointing`).
   */
  checkpointBlocks?: boolean | 'auto';
  /**
   * Weights of the binary units' convs: `binary` (default, α·sign(W)) or `real` (the latent float W
   * with the same activation quantizers: stage 1 of staged training). Same parameter names either
   * way, so a `real` model's state dict loads into a `binary` one.
   */
  weights?: WeightMode;
}

/** One group: `bases[k]` is base k's own chain of blocks (K replicas of the group's blocks; one path under LBD). */
export interface GroupModule {
  readonly start: number;
  readonly end: number;
  readonly bases: Block[][];
}

/**
 * A Group-Net model built from a discrete {@link Arch} (DESIGN §3):
 *
 *   x → stem (float conv, BN, ReLU*, optional max-pool) → group 0 (K_0 bases, each its own blocks) → connector 0 → group 1 → …
 *     → output aggregate (Σ λ_k out_k) → global average pool → float FC → logits
 *
 * With an FCN head (`arch.head.fcn`, semantic segmentation) the pool and FC give way to `FcnHeadModule`
 * and the logits are per pixel, [N·H·W, classes]: every loss and metric written for [N, classes]
 * logits and [N] labels then works per pixel on labels flattened the same way. Under BPAC
 * (`arch.dilations`) base k of a group dilates its blocks by its own rate.
 *
 * Connector i sits between group i and i+1: `aggregate` (λ, broadcast) or `soft` (learned K'×K
 * matrix). Under `decomposition: 'layer'` (LBD) every group has one path and each conv layer holds
 * K convs instead.
 *
 * *The stem's ReLU is left out when group 0 has 1-bit activations (as larq's Bi-Real Net does):
 * sign(ReLU(x)) is +1 everywhere, so the first binary conv would see a constant, its BN would
 * normalise border effects only, and inference-mode accuracy collapsed to chance (measured: 9% vs
 * 51% with batch statistics, Group-Net K=3 R/2 after one short epoch).
 *
 * Parameter names: `stem.conv.weight`, `stem.bn.*`, `groups.{g}.bases.{k}.blocks.{i}.*` (i = the
 * block's index in `arch.blocks`), `connections.{g}.lambda|mix`, `output.lambda`, `head.fc.*`.
 */
export class GroupNetModel {
  readonly params: ParameterStore;
  readonly stemConv: Conv2d;
  readonly stemBn: BatchNorm;
  /** Whether the stem ends in a ReLU (not before a 1-bit first group; see above). */
  readonly stemRelu: boolean;
  readonly groups: GroupModule[];
  /** `connections[g]` joins group g to group g+1. */
  readonly connections: BaseConnector[];
  /** Joins the last group's bases into the one feature map the head pools. */
  readonly output: AggregateConnector;
  /** The classifier (absent under an FCN head). */
  readonly fc: Dense | undefined;
  /** The segmentation head (present when `arch.head.fcn` is). */
  readonly fcn: FcnHeadModule | undefined;
  /** Channels of the feature map the head pools. */
  readonly featureChannels: number;
  readonly checkpointBlocks: boolean | 'auto';
  /** Whether binary units convolve with α·sign(W) or with the latent float W (see BuildOptions.weights). */
  readonly weights: WeightMode;
  /** Trainable variables of each block of each base, as `groups[g].bases[k][i]` (for checkpointing). */
  private readonly blockVariables: tf.Variable[][][][];

  constructor(
    readonly arch: Arch,
    options: BuildOptions = {},
  ) {
    checkArchBuildable(arch);
    const seed = options.seed ?? 0;
    const estimator = options.signEstimator ?? 'ste';
    const beta = options.activationClip ?? DEFAULT_ACTIVATION_CLIP;
    const bnMomentum = options.bnMomentum ?? 0.1;
    this.weights = options.weights ?? 'binary';
    this.params = new ParameterStore(seed);
    const root = new Scope(this.params);
    const layerwise = arch.decomposition === 'layer';
    const paths = (g: number): number => (layerwise ? 1 : arch.bases[g]!);

    const stem = root.child('stem');
    this.stemConv = new Conv2d(stem.child('conv'), {
      inChannels: arch.input.channels,
      outChannels: arch.stem.filters,
      kernel: arch.stem.kernel,
      stride: arch.stem.stride,
      binary: false,
    });
    this.stemBn = new BatchNorm(stem.child('bn'), arch.stem.filters, bnMomentum);
    this.stemRelu = arch.bits[0] !== 1;

    this.groups = [];
    this.connections = [];
    let channels = arch.stem.filters;
    arch.groups.forEach((group, g) => {
      const quantizer = activationQuantizerFor(arch.bits[g]!, estimator, beta);
      const groupScope = root.child('groups').child(g);
      const bases: Block[][] = [];
      let outChannels = channels;
      for (let k = 0; k < paths(g); k++) {
        const baseScope = groupScope.child('bases').child(k).child('blocks');
        let inChannels = channels;
        const blocks: Block[] = [];
        for (let i = group.start; i < group.end; i++) {
          const b = arch.blocks[i]!;
          const width = arch.widths[b.stage]!;
          blocks.push(
            createBlock(baseScope.child(i), {
              kind: b.kind,
              inChannels,
              width,
              stride: b.stride,
              kernel: b.kernel,
              dilation: layerwise ? b.dilation : baseDilation(arch, g, k, i),
              quantizer,
              convBases: layerwise ? arch.bases[g]! : 1,
              bnMomentum,
              weights: this.weights,
            }),
          );
          inChannels = blockOutChannels(b.kind, width);
        }
        bases.push(blocks);
        outChannels = inChannels;
      }
      this.groups.push({ start: group.start, end: group.end, bases });
      channels = outChannels;
      if (g < arch.groups.length - 1) {
        const scope = root.child('connections').child(g);
        const from = paths(g);
        const to = paths(g + 1);
        this.connections.push(arch.connections[g] === 'soft' ? new SoftConnector(scope, from, to) : new AggregateConnector(scope, from, to));
      }
    });
    this.output = new AggregateConnector(root.child('output'), paths(arch.groups.length - 1), 1);
    this.featureChannels = channels;
    this.checkpointBlocks = options.checkpointBlocks ?? 'auto';
    const trainable = this.params.trainable();
    this.blockVariables = this.groups.map((group, g) =>
      group.bases.map((blocks, k) =>
        blocks.map((_, j) => {
          const prefix = `groups.${g}.bases.${k}.blocks.${group.start + j}.`;
          return trainable.filter((p) => p.name.startsWith(prefix)).map((p) => p.variable);
        }),
      ),
    );
    if (arch.head.fcn === undefined) {
      this.fc = new Dense(root.child('head').child('fc'), channels, arch.head.classes);
      this.fcn = undefined;
    } else {
      this.skipBlock = fcnSkipBlock(arch);
      const skip = this.skipBlock !== undefined ? arch.blocks[this.skipBlock]! : undefined;
      const skipChannels = skip !== undefined ? blockOutChannels(skip.kind, arch.widths[skip.stage]!) : undefined;
      this.fc = undefined;
      this.fcn = new FcnHeadModule(root.child('head'), arch.head.fcn, channels, skipChannels, arch.head.classes, arch.input);
    }
  }

  /** FCN-16s: the block whose output (mean over bases) the head's skip classifier scores. */
  private readonly skipBlock: number | undefined;

  /**
   * Logits [N, classes] for NHWC input [N, H, W, C] (per pixel, [N·H·W, classes], under an FCN head).
   * `training` selects batch statistics in BN (and updates the running ones).
   */
  forward(x: tf.Tensor4D, training: boolean): tf.Tensor2D {
    return tf.tidy(() => {
      let skip: tf.Tensor4D | undefined;
      const last = this.trunk(
        x,
        training,
        this.skipTaker((t) => (skip = t)),
      );
      return this.head(last, skip);
    });
  }

  /** A block observer that hands the FCN-16s skip map (mean over the bases) to `take`; undefined without a skip. */
  private skipTaker(take: (map: tf.Tensor4D) => void, then?: (block: number, outputs: tf.Tensor4D[]) => void) {
    const skipBlock = this.skipBlock;
    if (skipBlock === undefined) return then;
    return (block: number, outputs: tf.Tensor4D[]) => {
      if (block === skipBlock) take(meanOfBases(outputs));
      then?.(block, outputs);
    };
  }

  /**
   * Logits plus intermediate feature maps for distillation (attention transfer): after each block
   * index in `atBlocks` (default: the last block of every stage), the mean over the bases of their
   * outputs. Block indices are the Arch's, so a student and its full-precision teacher with the
   * same blocks give maps of matching shapes.
   */
  forwardWithFeatures(x: tf.Tensor4D, training: boolean, atBlocks: number[] = stageEndBlocks(this.arch)): { logits: tf.Tensor2D; features: tf.Tensor4D[] } {
    const result = tf.tidy(() => {
      const wanted = new Set(atBlocks);
      const taken = new Map<number, tf.Tensor4D>();
      let skip: tf.Tensor4D | undefined;
      const last = this.trunk(
        x,
        training,
        this.skipTaker(
          (t) => (skip = t),
          (block, outputs) => {
            if (wanted.has(block)) taken.set(block, meanOfBases(outputs));
          },
        ),
      );
      const features = atBlocks.map((i) => {
        const t = taken.get(i);
        if (t === undefined) throw new RangeError(`forwardWithFeatures: block ${i} is not in 0..${this.arch.blocks.length - 1}`);
        return t;
      });
      return { logits: this.head(last, skip), features };
    });
    return result;
  }

  /**
   * The aggregated last feature map [N, H', W', featureChannels], before pooling. `onBlock` sees
   * every base's output after each block (indexed as in `arch.blocks`); those tensors live only
   * during the call (keep with `tf.keep` what must outlive it).
   */
  features(x: tf.Tensor4D, training: boolean, onBlock?: (block: number, outputs: tf.Tensor4D[]) => void): tf.Tensor4D {
    return tf.tidy(() => this.trunk(x, training, onBlock));
  }

  /** Stem → groups → output aggregate, untidied (callers wrap it in one tf.tidy). */
  private trunk(x: tf.Tensor4D, training: boolean, onBlock?: (block: number, outputs: tf.Tensor4D[]) => void): tf.Tensor4D {
    const stem = this.stemPool(this.stemBn.apply(this.stemConv.apply(x), training, { relu: this.stemRelu }));
    let inputs: tf.Tensor4D[] = Array.from({ length: this.groups[0]!.bases.length }, () => stem);
    const checkpoint = training && this.checkpointsBatch(x.shape[0]);
    this.groups.forEach((group, g) => {
      let hidden = inputs;
      for (let i = group.start; i < group.end; i++) {
        const j = i - group.start;
        hidden = group.bases.map((blocks, k) => {
          const block = blocks[j]!;
          if (!checkpoint) return block.apply(hidden[k]!, training);
          return gradientCheckpoint((h) => block.apply(h, true), hidden[k]!, this.blockVariables[g]![k]![j]!);
        });
        onBlock?.(i, hidden);
      }
      inputs = g < this.connections.length ? this.connections[g]!.combine(hidden) : this.output.combine(hidden);
    });
    return inputs[0]!;
  }

  /** Whether a training forward of `batch` images checkpoints its blocks. */
  checkpointsBatch(batch: number): boolean {
    return this.checkpointBlocks === 'auto' ? needsCheckpointing(this.arch, batch) : this.checkpointBlocks;
  }

  /** The stem's optional max-pool; an odd window pads (k−1)/2 on every side like the convs, so H → ceil(H/s). */
  private stemPool(x: tf.Tensor4D): tf.Tensor4D {
    const pool = this.arch.stem.pool;
    if (pool === undefined) return x;
    const pad = pool.kernel % 2 === 1 ? (pool.kernel - 1) / 2 : 'same';
    return tf.maxPool(x, pool.kernel, pool.stride, pad);
  }

  private head(features: tf.Tensor4D, skip: tf.Tensor4D | undefined): tf.Tensor2D {
    if (this.fcn !== undefined) return this.fcn.apply(features, skip);
    return this.fc!.apply(tf.mean(features, [1, 2]) as tf.Tensor2D);
  }

  /** Parameters the optimizer updates, by stable name. */
  trainableParameters(): Parameter[] {
    return this.params.trainable();
  }

  /** The tfjs variables the optimizer updates (for `tf.variableGrads`). */
  get trainableVariables(): tf.Variable[] {
    return this.params.trainable().map((p) => p.variable);
  }

  /** Every parameter and buffer by name (live variables; read, don't dispose). */
  stateDict(): StateDict {
    return this.params.stateDict();
  }

  loadStateDict(state: StateDict, source?: string): void {
    this.params.loadStateDict(state, source);
  }

  dispose(): void {
    this.params.dispose();
  }
}

/** Build the tfjs model of an Arch (throws a UsageError naming the field if the Arch cannot be built). */
export function buildModel(arch: Arch, options: BuildOptions = {}): GroupNetModel {
  return new GroupNetModel(arch, options);
}

/** The mean of the bases' outputs (the one output itself for a single base). */
function meanOfBases(outputs: tf.Tensor4D[]): tf.Tensor4D {
  return outputs.length === 1 ? outputs[0]! : (tf.div(tf.addN(outputs), outputs.length) as tf.Tensor4D);
}

/** Index of the last block of every stage, in stage order (where attention-transfer features are taken). */
export function stageEndBlocks(arch: Arch): number[] {
  const ends: number[] = [];
  arch.blocks.forEach((b, i) => {
    const next = arch.blocks[i + 1];
    if (next === undefined || next.stage !== b.stage) ends.push(i);
  });
  return ends;
}
