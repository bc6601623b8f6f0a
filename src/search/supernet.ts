/**
 * The supernet (DESIGN §4): every block holds K_max binary bases; what the architecture weights
 * choose is applied as weights on those bases, never as extra side-by-side branches, so a step
 * costs about one step of the largest architecture in the space.
 *
 *   x → stem → block 0 (K_max bases, mixed quantizer) → boundary 0 → block 1 → … → output mix → head
 *
 * - bases: FBNetV2 prefix masks. Connections are built per K, so base k enters a mix only through
 *   the coefficients of the K > k that keep it: coefficient = Σ_K P(K)·(connection of K)[k].
 * - group boundary b: inputs of block b+1 are x_j = Σ_k C[j,k]·out_k with
 *   C = P(continue)·I + P(aggregate)·1·aᵀ + P(soft)·S, where
 *   a[k] = Σ_K P(K_b = K)·λ⁽ᴷ⁾_k  (λ⁽¹⁾ = 1: one base passes through unchanged), and
 *   S[j,k] = Σ_{K,K'} P(K_b = K)·P(K'_{b+1} = K')·M⁽ᴷ'ᴷ⁾[j,k] / P(K'_{b+1} > j),
 *   the expected soft connection given that base j of the next group exists.
 * - activation bits: softmax-weighted sum of the quantizers' outputs (mixed-quantizer.ts).
 * - stage widths: every block is built at its stage's widest choice; FBNetV2 channel prefix masks
 *   (channel-mask.ts) weight the channels where they are consumed (the next convs' quantized inputs,
 *   the classifier's pooled input). A block whose shortcut is the identity for some widths and a
 *   projection for others mixes the two by P(identity).
 * - dilation: in an α step the block's k×k convs run at every dilation choice with the same
 *   weights and the outputs are mixed by softmax(α) (DARTS-style; a single choice runs one conv).
 *   A weight step may instead run one rate drawn from P(dilation) (`SupernetPass.draw`,
 *   ProxylessNAS' single path): one conv per unit, so the step costs what the largest arch's does.
 * - per-base dilation (BPAC, a one-block group): base k's convs run at every rate it can take —
 *   the block's own when the group keeps them, rate k of each rate list otherwise — over its one
 *   set of weights, mixed by those rates' probabilities (base-dilation-mix.ts).
 * - a generic mixed op (any decision relaxed by `softmax-mix`, e.g. blockOp): the block is built
 *   once per branch (`blocks[i][b]`; parameters shared where name and shape agree, else named
 *   `blocks.{i}.bases.{k}.branch{b}.*`), every branch runs on the base's input, and the outputs
 *   are combined by the hook's mix, DARTS' Σ_b P(b)·y_b for the built-in one (mixed-op.ts).
 * - a weight step (α fixed, `SupernetPass.alphaGradient: false`) computes the same values more
 *   cheaply: masks and P(dilation) scale the conv weights instead of activation-sized maps, and no
 *   op keeps maps or forms gradients for the structure weights.
 *
 * λ⁽ᴷ⁾ and M⁽ᴷ'ᴷ⁾ are initialised like nn's AggregateConnector / SoftConnector of those sizes,
 * and `derivedStateDict` hands every weight to `buildModel(arch)` under its name there, so with
 * one-hot probabilities the supernet and the derived model compute the same function.
 *
 * Which decision does what is the layout's business (supernet-layout.ts: each variable's relaxation
 * hook hands it to one of these parts); this file never reads a decision's name.
 *
 * Parameter names: `stem.*`, `blocks.{i}.bases.{k}.*`, `boundaries.{b}.aggregate.K{K}.lambda`,
 * `boundaries.{b}.soft.K{K}to{K'}.mix`, `output.K{K}.lambda`, `head.fc.*`.
 */
import * as tf from '../util/tfjs.js';
import type { SignEstimator } from '../nn/activation.js';
import { buildModel } from '../nn/group-net.js';
import { mixBases } from '../nn/mix-bases.js';
import { constant, matrix } from '../nn/init.js';
import { BatchNorm } from '../nn/layers/batch-norm.js';
import { Conv2d } from '../nn/layers/conv2d.js';
import { Dense } from '../nn/layers/dense.js';
import { FcnHeadModule } from '../nn/fcn-head.js';
import { ParameterStore, Scope, type Parameter, type StateDict } from '../nn/parameters.js';
import { DEFAULT_ACTIVATION_CLIP } from '../space/activation-clip.js';
import type { Arch, BlockKind } from '../space/arch.js';
import { fcnSkipBlock } from '../space/segmentation-backbone.js';
import { baseDilationMix } from './base-dilation-mix.js';
import { mixMaps } from './map-mix.js';
import { mixedQuantizer } from './mixed-quantizer.js';
import { maskChannels, prefixMask } from './channel-mask.js';
import { SuperBlock, type BlockChoices, type ShortcutKind } from './super-block.js';
import { branchOfBlock, groupCanStart, maxWidth, outputKind, type SupernetLayout } from './supernet-layout.js';
import { drawBranch } from './mixed-op.js';
import { SharedParameters } from './shared-parameters.js';
import { blockOutChannels } from '../nn/blocks/block.js';
import type { StructureWeights } from './structure-weights.js';
import { createRng, deriveSeed } from '../util/random.js';

/**
 * What a pass differentiates. `alphaGradient: false` (a weight step: α fixed) lets the supernet
 * treat the structure weights as constants: no gradient is formed for them, and channel masks scale
 * conv weights instead of activations. Values are the same either way (up to float rounding where
 * a mask is not 0/1).
 */
export interface SupernetPass {
  alphaGradient?: boolean;
  /**
   * A weight step's draw key: each block with several dilation choices runs one rate drawn from
   * P(dilation) instead of every rate mixed, and a mixed op whose mix draws (a single-path hook)
   * gets its uniform number; draws are seeded by the supernet's seed, this key and the block, so a
   * run (and its resume) draws the same. Weight steps pass their step count.
   */
  draw?: number;
}

export interface SupernetOptions {
  seed?: number;
  signEstimator?: SignEstimator;
  /** Clip β of k-bit activations. Default: DEFAULT_ACTIVATION_CLIP (as buildModel). */
  activationClip?: number;
  bnMomentum?: number;
}

interface BoundaryParams {
  /** λ⁽ᴷ⁾ by K (K ≥ 2; K = 1 is the constant 1). */
  lambda: Map<number, tf.Variable>;
  /** M⁽ᴷ'ᴷ⁾ by `${K}>${K'}` ([K', K]; 1→1 is the constant 1). */
  mix: Map<string, tf.Variable>;
  hasAggregate: boolean;
  hasSoft: boolean;
  /** K' values the next group can take. */
  nextK: number[];
}

const EPSILON = 1e-12;

export class Supernet {
  readonly params: ParameterStore;
  readonly stemConv: Conv2d;
  readonly stemBn: BatchNorm;
  /** `blocks[i][b][k]`: base k's copy of block i's branch b (one branch unless a mixed op builds block i once per choice). */
  readonly blocks: SuperBlock[][][];
  readonly boundaryParams: (BoundaryParams | undefined)[];
  readonly outputLambda: Map<number, tf.Variable>;
  /** The classifier (absent under an FCN head). */
  readonly fc: Dense | undefined;
  /** A segmentation template's FCN head, as nn builds it (same names, so it moves to the derived model). */
  readonly fcn: FcnHeadModule | undefined;
  /** FCN-16s: the block whose output (mean over the bases that exist) the head's skip classifier scores. */
  private readonly skipBlock: number | undefined;
  /** K values any group can take, ascending. */
  readonly kValues: number[];
  /** Per block and branch: identity, projection or mixed shortcut across the space's widths. */
  readonly shortcutKinds: ShortcutKind[][];
  /** Per block, branch and base (blocks with branches only): the supernet's name of each parameter the branch asked for. */
  private readonly branchParameterNames: (Map<string, string>[][] | undefined)[];
  private readonly beta: number;
  private readonly estimator: SignEstimator;
  private readonly seed: number;

  constructor(
    readonly layout: SupernetLayout,
    readonly options: SupernetOptions = {},
  ) {
    const arch = layout.template;
    const kMax = layout.kMax;
    const bnMomentum = options.bnMomentum ?? 0.1;
    this.beta = options.activationClip ?? DEFAULT_ACTIVATION_CLIP;
    this.estimator = options.signEstimator ?? 'ste';
    this.seed = options.seed ?? 0;
    this.params = new ParameterStore(this.seed);
    const root = new Scope(this.params);
    this.kValues = [...new Set(layout.bases.filter((_, s) => groupCanStart(layout, s)).flatMap((b) => b.support))].sort((a, b) => a - b);

    const stem = root.child('stem');
    this.stemConv = new Conv2d(stem.child('conv'), {
      inChannels: arch.input.channels,
      outChannels: arch.stem.filters,
      kernel: arch.stem.kernel,
      stride: arch.stem.stride,
      binary: false,
    });
    this.stemBn = new BatchNorm(stem.child('bn'), arch.stem.filters, bnMomentum);

    let channels = arch.stem.filters;
    const specsOf = (i: number) => layout.branches[i]?.specs ?? [arch.blocks[i]!];
    this.shortcutKinds = arch.blocks.map((_, i) => specsOf(i).map((b) => shortcutKindOf(layout, i, b.kind, b.stride)));
    this.branchParameterNames = arch.blocks.map((_, i) => (layout.branches[i] === undefined ? undefined : []));
    this.blocks = arch.blocks.map((_, i) => {
      const inChannels = channels;
      const branches = specsOf(i).map((b, branch) => {
        const width = maxWidth(layout, b.stage);
        const spec = { kind: b.kind, inChannels, width, stride: b.stride, kernel: b.kernel, dilation: b.dilation, bnMomentum };
        return Array.from({ length: kMax }, (_, k) => {
          const path = `blocks.${i}.bases.${k}`;
          const names = this.branchParameterNames[i];
          if (names === undefined) return new SuperBlock(root.child('blocks').child(i).child('bases').child(k), spec, this.shortcutKinds[i]![branch]);
          const shared = new SharedParameters(this.params, path, branch);
          const block = new SuperBlock(new Scope(shared, path), spec, this.shortcutKinds[i]![branch]);
          (names[branch] ??= [])[k] = shared.names;
          return block;
        });
      });
      channels = branches[0]![0]!.outChannels;
      return branches;
    });

    this.boundaryParams = layout.boundaries.map((setting, b) => {
      const hasAggregate = setting.support.includes('aggregate');
      const hasSoft = setting.support.includes('soft');
      if (!hasAggregate && !hasSoft) return undefined;
      const scope = root.child('boundaries').child(b);
      const nextK = layout.bases[b + 1]!.support;
      const lambda = hasAggregate ? this.lambdas(scope.child('aggregate')) : new Map<number, tf.Variable>();
      const mix = new Map<string, tf.Variable>();
      if (hasSoft) {
        for (const from of this.kValues) {
          for (const to of nextK) {
            if (from === 1 && to === 1) continue;
            mix.set(
              `${from}>${to}`,
              scope
                .child('soft')
                .child(`K${from}to${to}`)
                .param('mix', [to, from], matrix(softStart(from, to))),
            );
          }
        }
      }
      return { lambda, mix, hasAggregate, hasSoft, nextK };
    });
    this.outputLambda = this.lambdas(root.child('output'));
    this.skipBlock = fcnSkipBlock(arch);
    if (arch.head.fcn === undefined) {
      this.fc = new Dense(root.child('head').child('fc'), channels, arch.head.classes);
      this.fcn = undefined;
    } else {
      const skip = this.skipBlock === undefined ? undefined : this.blocks[this.skipBlock]![0]![0]!.outChannels;
      this.fc = undefined;
      this.fcn = new FcnHeadModule(root.child('head'), arch.head.fcn, channels, skip, arch.head.classes, arch.input);
    }
  }

  private lambdas(scope: Scope): Map<number, tf.Variable> {
    const lambda = new Map<number, tf.Variable>();
    for (const k of this.kValues) if (k > 1) lambda.set(k, scope.child(`K${k}`).param('lambda', [k], constant(1 / k)));
    return lambda;
  }

  /** Logits for NHWC input; `weights` are the structure weights of the current probabilities (call inside a tidy). */
  forward(x: tf.Tensor4D, training: boolean, weights: StructureWeights, pass: SupernetPass = {}): tf.Tensor2D {
    return tf.tidy(() => this.run(x, training, weights, [], pass).logits);
  }

  /**
   * Logits plus, after each block in `atBlocks`, the mean over the bases that exist of their
   * outputs (Σ_k P(K > k)·out_k / Σ_k P(K > k)): what `GroupNetModel.forwardWithFeatures` gives
   * for the derived architecture, for attention transfer from the teacher.
   */
  forwardWithFeatures(
    x: tf.Tensor4D,
    training: boolean,
    weights: StructureWeights,
    atBlocks: number[],
    pass: SupernetPass = {},
  ): { logits: tf.Tensor2D; features: tf.Tensor4D[] } {
    return tf.tidy(() => this.run(x, training, weights, atBlocks, pass));
  }

  private run(
    x: tf.Tensor4D,
    training: boolean,
    weights: StructureWeights,
    atBlocks: number[],
    pass: SupernetPass,
  ): { logits: tf.Tensor2D; features: tf.Tensor4D[] } {
    const alphaGradient = pass.alphaGradient ?? true;
    const kMax = this.layout.kMax;
    const stem = this.stem(x, training, weights, alphaGradient);
    let inputs: tf.Tensor4D[] = Array.from({ length: kMax }, () => stem);
    const last = this.layout.blockCount - 1;
    let pooled: tf.Tensor4D | undefined;
    const features = new Map<number, tf.Tensor4D>();
    const keeps = baseKept(kMax);
    const masks = this.channelMasks(weights);
    this.blocks.forEach((branches, i) => {
      const choices: BlockChoices = {
        quantize: mixedQuantizer(this.layout.bitChoices, weights.blockBits[i], { estimator: this.estimator, beta: this.beta, weightsGradient: alphaGradient }),
        ...this.blockChoices(i, weights, masks, pass.draw),
        alphaGradient,
      };
      const bpac = this.layout.baseDilations[i]!;
      // BPAC: base k convolves at its own rates (base-dilation-mix.ts); otherwise every base takes the block's choices.
      const perBase =
        bpac.support.length === 1 && bpac.fixed === 'block'
          ? () => choices
          : (k: number): BlockChoices => ({ ...choices, dilation: baseDilationMix(choices.dilation!, bpac.support, weights.blockBaseDilations[i]!, k) });
      const outputs = this.applyBlock(i, branches, inputs, training, perBase, weights, pass.draw);
      if (atBlocks.includes(i) || i === this.skipBlock) {
        const exists = tf.reshape(tf.matMul(tf.reshape(weights.blockBases[i]!, [1, -1]), keeps), [-1]) as tf.Tensor1D;
        features.set(i, maskChannels(mixMaps(outputs, tf.div(exists, tf.sum(exists)) as tf.Tensor1D, { coefficientGradient: alphaGradient }), masks.out[i]));
      }
      if (i < last) inputs = this.connect(i, outputs, weights, keeps);
      else pooled = mixBases(outputs, tf.matMul(tf.reshape(weights.blockBases[i]!, [1, -1]), this.lambdaMatrix(this.outputLambda)))[0];
    });
    const logits =
      this.fcn !== undefined
        ? this.fcn.apply(maskChannels(pooled!, masks.out[last]), this.skipBlock === undefined ? undefined : features.get(this.skipBlock))
        : this.fc!.apply(maskChannels(tf.mean(pooled!, [1, 2]) as tf.Tensor2D, masks.out[last]));
    return { logits, features: atBlocks.map((i) => features.get(i)!) };
  }

  /**
   * Block i on every base's input: its one branch, or every branch combined by the mix of the
   * relaxation that built them (a weight step's draw key, if any, seeds the mix's draw).
   */
  private applyBlock(
    i: number,
    branches: SuperBlock[][],
    inputs: tf.Tensor4D[],
    training: boolean,
    choicesOf: (base: number) => BlockChoices,
    weights: StructureWeights,
    drawKey: number | undefined,
  ): tf.Tensor4D[] {
    if (branches.length === 1) return branches[0]!.map((block, k) => block.apply(inputs[k]!, training, choicesOf(k)));
    const { mix } = this.layout.branches[i]!;
    const p = weights.blockBranches[i]!;
    const alphaGradient = choicesOf(0).alphaGradient ?? true;
    // One uniform number per block and step: every base runs the same drawn branch.
    const u = drawKey === undefined ? undefined : createRng(deriveSeed(this.seed, `branch:${drawKey}:${i}`))();
    return inputs.map((x, k) =>
      mix({
        count: branches.length,
        branch: (b) => branches[b]![k]!.apply(x, training, choicesOf(k)),
        p,
        alphaGradient,
        ...(u === undefined ? {} : { draw: () => u }),
      }),
    );
  }

  /** Per block: the mask over its stage's width and over its output channels (undefined where the stage has one width). */
  private channelMasks(weights: StructureWeights): { width: (tf.Tensor1D | undefined)[]; out: (tf.Tensor1D | undefined)[] } {
    const byStage = new Map<string, tf.Tensor1D>();
    const mask = (stage: number, kind: BlockKind | 'inner'): tf.Tensor1D | undefined => {
      const setting = this.layout.widths[stage]!;
      if (setting.support.length === 1) return undefined;
      const key = `${stage}:${kind === 'bottleneck' ? 'x4' : 'x1'}`;
      if (!byStage.has(key)) {
        const channels = (w: number) => (kind === 'inner' ? w : blockOutChannels(kind, w));
        byStage.set(key, prefixMask(weights.stageWidths[stage]!, setting.support.map(channels), channels(maxWidth(this.layout, stage))));
      }
      return byStage.get(key);
    };
    const blocks = this.layout.template.blocks;
    return { width: blocks.map((b) => mask(b.stage, 'inner')), out: blocks.map((b, i) => mask(b.stage, outputKind(this.layout, i))) };
  }

  /** What block i's bases take from the structure weights besides the quantizer. */
  private blockChoices(
    i: number,
    weights: StructureWeights,
    masks: { width: (tf.Tensor1D | undefined)[]; out: (tf.Tensor1D | undefined)[] },
    drawKey: number | undefined,
  ): Omit<BlockChoices, 'quantize'> {
    const support = this.layout.dilations[i]!.support;
    const drawn = drawKey !== undefined && support.length > 1;
    const rates = drawn ? [drawRate(support, weights.blockDilations[i]!, deriveSeed(this.seed, `dilation:${drawKey}:${i}`))] : support;
    const inMask = i > 0 ? masks.out[i - 1] : undefined;
    const widthMask = masks.width[i];
    return {
      ...(inMask ? { inMask } : {}),
      ...(widthMask ? { widthMask } : {}),
      dilation: { rates, p: drawn ? tf.ones([1]) : weights.blockDilations[i]! },
      ...(this.shortcutKinds[i]!.includes('mixed') ? { identity: identityProbability(this.layout, i, weights) } : {}),
    };
  }

  /**
   * Stem conv → BN, then ReLU unless the first group is 1-bit (nn's rule: the sign of a ReLU output
   * is constant). With mixed bits: P(1 bit)·BN + (1 − P(1 bit))·ReLU(BN).
   */
  private stem(x: tf.Tensor4D, training: boolean, weights: StructureWeights, alphaGradient: boolean): tf.Tensor4D {
    const conv = this.stemConv.apply(x);
    const bits = this.layout.bitChoices;
    const oneBit = bits.indexOf(1);
    if (oneBit < 0) return this.stemBn.apply(conv, training, { relu: true });
    const normalized = this.stemBn.apply(conv, training);
    if (bits.length === 1) return normalized;
    const p = tf.squeeze(tf.slice(weights.blockBits[0]!, [oneBit], [1])) as tf.Scalar;
    return mixMaps([normalized, tf.relu(normalized)], tf.stack([p, tf.sub(1, p)]) as tf.Tensor1D, { coefficientGradient: alphaGradient });
  }

  /** [K_max, K_max]: row K−1 = λ⁽ᴷ⁾ padded with zeros. */
  private lambdaMatrix(lambda: Map<number, tf.Variable>): tf.Tensor2D {
    const kMax = this.layout.kMax;
    const rows = Array.from({ length: kMax }, (_, r) => {
      const k = r + 1;
      const v = lambda.get(k);
      if (v !== undefined) return tf.pad(v, [[0, kMax - k]]);
      return tf.tensor1d(Array.from({ length: kMax }, (_, c) => (k === 1 && c === 0 ? 1 : 0)));
    });
    return tf.stack(rows) as tf.Tensor2D;
  }

  /** Block b's outputs mixed into the next block's inputs by C (file comment); `keeps` as baseKept. */
  private connect(b: number, outputs: tf.Tensor4D[], weights: StructureWeights, keeps: tf.Tensor2D): tf.Tensor4D[] {
    const params = this.boundaryParams[b];
    if (params === undefined) return outputs; // the boundary always continues: each base keeps its path
    const kMax = this.layout.kMax;
    const [pContinue, pAggregate, pSoft] = tf.unstack(weights.boundaries[b]!) as tf.Scalar[];
    const q = tf.reshape(weights.blockBases[b]!, [1, -1]);
    const terms: tf.Tensor2D[] = [];
    if (this.layout.boundaries[b]!.support.includes('continue')) terms.push(tf.mul(pContinue!, tf.eye(kMax)));
    if (params.hasAggregate) {
      const a = tf.matMul(q, this.lambdaMatrix(params.lambda));
      terms.push(tf.mul(pAggregate!, tf.tile(a, [kMax, 1])));
    }
    if (params.hasSoft) {
      const next = weights.groupBases[b + 1]!;
      const pairs = tf.reshape(tf.matMul(tf.reshape(q, [-1, 1]), tf.reshape(next, [1, -1])), [1, -1]);
      const expected = tf.reshape(tf.matMul(pairs, this.mixTable(params)), [kMax, kMax]);
      // P(K' > j): the soft mix is the expectation given that base j of the next group exists.
      const exists = tf.matMul(tf.reshape(next, [1, -1]), keeps);
      terms.push(tf.mul(pSoft!, tf.div(expected, tf.maximum(tf.reshape(exists, [-1, 1]), EPSILON))));
    }
    const c = terms.length === 1 ? terms[0]! : (tf.addN(terms) as tf.Tensor2D);
    return mixBases(outputs, c);
  }

  /** [K_max², K_max²]: row (K−1)·K_max + (K'−1) = M⁽ᴷ'ᴷ⁾ padded to K_max×K_max, flattened. */
  private mixTable(params: BoundaryParams): tf.Tensor2D {
    const kMax = this.layout.kMax;
    const rows: tf.Tensor1D[] = [];
    for (let from = 1; from <= kMax; from++) {
      for (let to = 1; to <= kMax; to++) {
        const m = params.mix.get(`${from}>${to}`);
        if (m !== undefined)
          rows.push(
            tf.reshape(
              tf.pad(m, [
                [0, kMax - to],
                [0, kMax - from],
              ]),
              [-1],
            ) as tf.Tensor1D,
          );
        else if (from === 1 && to === 1)
          rows.push(
            tf
              .oneHot(tf.tensor1d([0], 'int32'), kMax * kMax)
              .reshape([-1])
              .toFloat() as tf.Tensor1D,
          );
        else rows.push(tf.zeros([kMax * kMax]));
      }
    }
    return tf.stack(rows) as tf.Tensor2D;
  }

  /** The network weights w (everything trainable; α lives in ArchitectureWeights). */
  weightParameters(): Parameter[] {
    return this.params.trainable();
  }

  stateDict(): StateDict {
    return this.params.stateDict();
  }

  loadStateDict(state: StateDict, source?: string): void {
    this.params.loadStateDict(state, source);
  }

  /**
   * The supernet's weights under `buildModel(arch)`'s names, cut to the derived widths (the leading
   * channels of every axis: prefix masks keep those). New tensors: dispose them after loading.
   */
  derivedStateDict(arch: Arch): StateDict {
    const mine = this.stateDict();
    const model = buildModel(arch);
    const shapes = Object.entries(model.stateDict()).map(([name, t]) => [name, t.shape] as const);
    model.dispose();
    const out: StateDict = {};
    for (const [name, shape] of shapes) {
      const source = this.derivedName(arch, name);
      const t = mine[source];
      if (t === undefined) throw new Error(`supernet has no weight ${source} for ${name} of ${arch.name ?? 'the architecture'}`);
      if (t.rank !== shape.length || shape.some((n, a) => n > t.shape[a]!))
        throw new Error(`supernet weight ${source} [${t.shape.join(', ')}] cannot hold ${name} [${shape.join(', ')}]`);
      out[name] = tf.slice(
        t,
        shape.map(() => 0),
        [...shape],
      );
    }
    return out;
  }

  private derivedName(arch: Arch, name: string): string {
    const inGroup = /^groups\.(\d+)\.bases\.(\d+)\.blocks\.(\d+)\.(.*)$/.exec(name);
    if (inGroup) {
      const [i, k] = [Number(inGroup[3]), Number(inGroup[2])];
      const mine = `blocks.${i}.bases.${k}.${inGroup[4]}`;
      const branch = branchOfBlock(this.layout.branches[i], i, arch.blocks[i]!);
      return branch === undefined ? mine : (this.branchParameterNames[i]![branch]![k]!.get(mine) ?? mine);
    }
    const connection = /^connections\.(\d+)\.(lambda|mix)$/.exec(name);
    if (connection) {
      const g = Number(connection[1]);
      const b = arch.groups[g]!.end - 1;
      const from = arch.bases[g]!;
      return connection[2] === 'lambda' ? `boundaries.${b}.aggregate.K${from}.lambda` : `boundaries.${b}.soft.K${from}to${arch.bases[g + 1]!}.mix`;
    }
    if (name === 'output.lambda') return `output.K${arch.bases[arch.bases.length - 1]!}.lambda`;
    return name;
  }

  dispose(): void {
    this.params.dispose();
  }
}

/** [K_max, K_max]: row K−1 has a 1 at every base k < K, so P(base k exists) = P(K) · baseKept. */
function baseKept(kMax: number): tf.Tensor2D {
  return tf.tensor2d(Array.from({ length: kMax }, (_, r) => Array.from({ length: kMax }, (_, k) => (k < r + 1 ? 1 : 0))));
}

/** One dilation rate drawn from the probabilities `p` (a weight step's single path). */
function drawRate(rates: readonly number[], p: tf.Tensor1D, seed: number): number {
  return rates[drawBranch(p, createRng(seed)())]!;
}

/** Output channels block i can have, per choice of its stage's width (the template's when fixed). */
function outChannelOptions(layout: SupernetLayout, i: number): number[] {
  const kind = outputKind(layout, i);
  return layout.widths[layout.template.blocks[i]!.stage]!.support.map((w) => blockOutChannels(kind, w));
}

/** [input options, output options] of 1{c_in = c_out} for block i (input from the stem or block i−1). */
function identityTable(layout: SupernetLayout, i: number): { sameStage: boolean; table: number[][] } {
  const blocks = layout.template.blocks;
  const outs = outChannelOptions(layout, i);
  if (i > 0 && blocks[i - 1]!.stage === blocks[i]!.stage) {
    // One width variable decides both sides: the pairs are (in(w), out(w)).
    const ins = outChannelOptions(layout, i - 1);
    return { sameStage: true, table: [outs.map((o, c) => (ins[c] === o ? 1 : 0))] };
  }
  const ins = i === 0 ? [layout.template.stem.filters] : outChannelOptions(layout, i - 1);
  return { sameStage: false, table: ins.map((a) => outs.map((o) => (a === o ? 1 : 0))) };
}

/** Whether block i's shortcut, built as a `kind` block of `stride`, is the identity in every, no or some architecture of the space. */
function shortcutKindOf(layout: SupernetLayout, i: number, kind: BlockKind, stride: number): ShortcutKind {
  if (kind === 'plain') return 'identity';
  if (stride !== 1) return 'projection';
  const cells = identityTable(layout, i).table.flat();
  if (cells.every((c) => c === 1)) return 'identity';
  return cells.every((c) => c === 0) ? 'projection' : 'mixed';
}

/** P(block i's shortcut is the identity) under the width distributions (untidied). */
function identityProbability(layout: SupernetLayout, i: number, weights: StructureWeights): tf.Scalar {
  const { sameStage, table } = identityTable(layout, i);
  const out = tf.reshape(weights.stageWidths[layout.template.blocks[i]!.stage]!, [-1, 1]);
  if (sameStage) return tf.squeeze(tf.matMul(tf.tensor2d(table), out)) as tf.Scalar;
  const input = i === 0 ? tf.ones([1, 1]) : tf.reshape(weights.stageWidths[layout.template.blocks[i - 1]!.stage]!, [1, -1]);
  return tf.squeeze(tf.matMul(tf.matMul(input, tf.tensor2d(table)), out)) as tf.Scalar;
}

/** nn's SoftConnector start: rows sum to 1; ½·I + ½/K when K' = K, else 1/K. */
function softStart(from: number, to: number): number[][] {
  return Array.from({ length: to }, (_, j) => Array.from({ length: from }, (_, k) => (to === from ? (j === k ? 0.5 : 0) + 0.5 / from : 1 / from)));
}
