/**
 * The packed inference engine: runs a `.gnb` model end to end — full-precision stem, binary
 * (or k-bit) convs on packed bits through a BinaryEngine, full-precision shortcuts,
 * connections between bases, pooling and classifier — and returns logits. It mirrors
 * src/nn's GroupNetModel.forward in inference mode op for op, in the same float32 arithmetic
 * (src/nn's binaryUnitInference; tfjs-wasm's conv, BatchNorm, pooling and addN), so every value
 * an activation quantizer sees — and so every level and sign — equals the tfjs model's on the wasm
 * backend bit for bit; only the head (global pool, classifier) rounds differently.
 *
 * Loading builds a plan: every tensor is looked up and shape-checked once and every
 * output transform (α, input scale, BN, LBD scale) folded once; `predict` only runs it.
 */
import type { Arch, ArchBlock } from '../space/arch.js';
import { baseDilation } from '../space/base-dilation.js';
import { fcnSkipBlock } from '../space/segmentation-backbone.js';
import { FileFormatError, UsageError } from '../util/errors.js';
import type { ConvSpec } from './conv-spec.js';
import { BufferArena, scratchFloat32 } from './buffer-arena.js';
import type { BinaryEngine, ConvResult } from './engine.js';
import {
  addInPlace,
  avgPoolSame,
  batchNormInPlace,
  concatFloat32,
  dense,
  globalAvgPool,
  maxPool,
  meanOfMaps,
  reluInPlace,
  resizeBilinear,
  type FeatureMap,
} from './float-ops.js';
import type { GnbModel } from './gnb-format.js';
import {
  ALPHA_SUFFIX,
  BN_FIELDS,
  HEAD_BIAS,
  HEAD_WEIGHT,
  OUTPUT_LAMBDA,
  STEM_BN,
  STEM_CONV,
  blockPrefix,
  convBasesOf,
  FCN_CLASSIFIER,
  FCN_SKIP,
  pathsOf,
  unitConvWeights,
} from './model-layout.js';
import { readModelMetadata, type PackedModelMetadata } from './model-metadata.js';
import { foldOutputTransform, multiBaseSum, type BatchNormParams, type ChannelAffine } from './output-transform.js';
import type { PackedWeights } from './weights.js';

/** nn's BatchNorm epsilon. */
const BN_EPSILON = 1e-5;

type Stage = (x: FeatureMap) => FeatureMap;
/** A conv unit: `conv → BN` of its input, added into `accumulate` (which it then returns) when given. */
type Unit = (x: FeatureMap, accumulate?: FeatureMap) => FeatureMap;
type Connector = (outputs: FeatureMap[]) => FeatureMap[];

type Quantizer = { kind: 'sign' } | { kind: 'uniform'; bits: number; beta: number } | undefined;

/**
 * The most images `predict` runs through the model at once: a larger batch goes through in slices
 * of this many, whose feature maps stay in the core's caches (`groupnas bench native`: whole
 * Group-Net R, K=5, batch 64 on one thread, 2.4× the images/s of the batch in one piece).
 */
export const SUB_BATCH = 8;

export class PackedModel {
  readonly arch: Arch;
  /** Input normalization, activation clip and provenance, checked. */
  readonly metadata: PackedModelMetadata;
  private readonly stem: Stage;
  private readonly groups: { paths: Stage[][] }[] = [];
  private readonly connectors: Connector[] = [];
  private readonly output: Connector;
  /** The classifier, or under an FCN head its 1×1 classifier on the last map. */
  private readonly headWeight: Float32Array;
  private readonly headBias: Float32Array;
  private readonly featureChannels: number;
  /** FCN-16s: the skip block and its 1×1 classifier. */
  private readonly skip: { block: number; weight: Float32Array; bias: Float32Array; channels: number } | undefined;
  /** One per sub-batch size: a sub-batch asks for the same buffers every time. */
  private readonly arenas = new Map<number, BufferArena>();

  /** Build the plan of `model` on `engine`; `file` names the model in errors about missing or misshapen tensors. */
  constructor(
    model: GnbModel,
    readonly engine: BinaryEngine,
    private readonly file = '<gnb>',
  ) {
    this.arch = model.arch;
    const arch = model.arch;
    const tensors = new TensorSource(model, file);
    this.metadata = readModelMetadata(model.metadata, arch.input.channels, file);
    const beta = this.metadata.activationClip;

    // No ReLU before a 1-bit first group, as in nn: the sign of a ReLU output is constantly +1.
    const stemRelu = arch.bits[0] !== 1;
    this.stem = this.stemStage(tensors, stemRelu);
    let channels = arch.stem.filters;
    arch.groups.forEach((group, g) => {
      const bits = arch.bits[g]!;
      const quantizer: Quantizer = bits === 32 ? undefined : bits === 1 ? { kind: 'sign' } : { kind: 'uniform', bits, beta };
      const paths: Stage[][] = [];
      let outChannels = channels;
      for (let k = 0; k < pathsOf(arch, g); k++) {
        let inChannels = channels;
        const blocks: Stage[] = [];
        for (let i = group.start; i < group.end; i++) {
          const block = arch.blocks[i]!;
          const width = arch.widths[block.stage]!;
          // BPAC: each base convolves at its own rate.
          const dilated = { ...block, dilation: arch.decomposition === 'layer' ? block.dilation : baseDilation(arch, g, k, i) };
          blocks.push(this.block(tensors, blockPrefix(g, k, i), dilated, inChannels, width, quantizer, convBasesOf(arch, g)));
          inChannels = block.kind === 'bottleneck' ? 4 * width : width;
        }
        paths.push(blocks);
        outChannels = inChannels;
      }
      this.groups.push({ paths });
      channels = outChannels;
      if (g < arch.groups.length - 1) {
        const from = pathsOf(arch, g);
        const to = pathsOf(arch, g + 1);
        this.connectors.push(
          arch.connections[g] === 'soft'
            ? softConnector(engine, tensors, `connections.${g}.mix`, from, to)
            : aggregateConnector(engine, tensors, `connections.${g}.lambda`, from, to),
        );
      }
    });
    this.output = aggregateConnector(engine, tensors, OUTPUT_LAMBDA, pathsOf(arch, arch.groups.length - 1), 1);
    this.featureChannels = channels;
    const classes = arch.head.classes;
    const fcn = arch.head.fcn !== undefined;
    this.headWeight = tensors.float(fcn ? `${FCN_CLASSIFIER}.weight` : HEAD_WEIGHT, [channels, classes]);
    this.headBias = tensors.float(fcn ? `${FCN_CLASSIFIER}.bias` : HEAD_BIAS, [classes]);
    const skipBlock = fcnSkipBlock(arch);
    if (skipBlock !== undefined) {
      const b = arch.blocks[skipBlock]!;
      const skipChannels = b.kind === 'bottleneck' ? 4 * arch.widths[b.stage]! : arch.widths[b.stage]!;
      this.skip = {
        block: skipBlock,
        weight: tensors.float(`${FCN_SKIP}.weight`, [skipChannels, classes]),
        bias: tensors.float(`${FCN_SKIP}.bias`, [classes]),
        channels: skipChannels,
      };
    } else {
      this.skip = undefined;
    }
  }

  /**
   * Logits [n, classes] of NHWC images [n, H, W, C] (the arch's input shape); under an FCN head
   * per pixel, [n·H·W, classes] in image, row, column order.
   */
  predict(images: Float32Array, n: number): Float32Array {
    const { height, width, channels } = this.arch.input;
    const size = height * width * channels;
    if (!Number.isInteger(n) || n < 1 || images.length !== n * size) {
      throw new UsageError(`packed model: expected ${n} images of ${height}×${width}×${channels} (${n * size} values), got ${images.length}`);
    }
    if (n <= SUB_BATCH) return this.predictInArena(images, n);
    // Images never meet inside the model, so predicting sub-batches and joining their logits is exact.
    const parts: Float32Array[] = [];
    for (let start = 0; start < n; start += SUB_BATCH) {
      const count = Math.min(SUB_BATCH, n - start);
      parts.push(this.predictInArena(images.subarray(start * size, (start + count) * size), count));
    }
    return concatFloat32(parts);
  }

  /** One sub-batch with its feature maps in the arena of its size (the head's logits are allocated afresh: they leave it). */
  private predictInArena(images: Float32Array, n: number): Float32Array {
    let arena = this.arenas.get(n);
    if (!arena) this.arenas.set(n, (arena = new BufferArena()));
    return arena.run(() => this.predictSubBatch(images, n));
  }

  private predictSubBatch(images: Float32Array, n: number): Float32Array {
    const { height, width, channels } = this.arch.input;
    const stem = this.stem({ n, h: height, w: width, c: channels, data: images });
    let inputs: FeatureMap[] = this.groups[0]!.paths.map(() => stem);
    let skipMap: FeatureMap | undefined;
    this.groups.forEach((group, g) => {
      const start = this.arch.groups[g]!.start;
      const skipped: FeatureMap[] = [];
      const outputs = group.paths.map((blocks, k) =>
        blocks.reduce((h, block, j) => {
          const out = block(h);
          if (start + j === this.skip?.block) skipped[k] = out;
          return out;
        }, inputs[k]!),
      );
      if (skipped.length > 0) skipMap = meanOfMaps(skipped);
      inputs = g < this.connectors.length ? this.connectors[g]!(outputs) : this.output(outputs);
    });
    const classes = this.arch.head.classes;
    if (this.arch.head.fcn === undefined) return dense(globalAvgPool(inputs[0]!), n, this.headWeight, this.headBias, this.featureChannels, classes);
    return this.fcnHead(inputs[0]!, skipMap).data;
  }

  /** The FCN head as nn's FcnHeadModule: 1×1 classifiers, bilinear up-sampling, the 16s skip added at its size. */
  private fcnHead(last: FeatureMap, skipMap: FeatureMap | undefined): FeatureMap {
    const classes = this.arch.head.classes;
    const score = (x: FeatureMap, weight: Float32Array, bias: Float32Array): FeatureMap => ({
      n: x.n,
      h: x.h,
      w: x.w,
      c: classes,
      data: dense(x.data, x.n * x.h * x.w, weight, bias, x.c, classes),
    });
    let scores = score(last, this.headWeight, this.headBias);
    if (this.skip !== undefined) {
      if (skipMap === undefined) throw new Error('packed model: FCN-16s skip map missing');
      scores = addInPlace(resizeBilinear(scores, skipMap.h, skipMap.w), score(skipMap, this.skip.weight, this.skip.bias));
    }
    return resizeBilinear(scores, this.arch.input.height, this.arch.input.width);
  }

  /** The stem: float conv → BN → ReLU (unless the first group is 1-bit) → optional max-pool. */
  private stemStage(tensors: TensorSource, relu: boolean): Stage {
    const { input, stem } = this.arch;
    const unit = this.floatUnit(tensors, [STEM_CONV], undefined, STEM_BN, input.channels, stem.filters, {
      kernel: stem.kernel,
      stride: stem.stride,
      dilation: 1,
      padding: 'symmetric',
    });
    const pool = stem.pool;
    return (x) => {
      const y = relu ? reluInPlace(unit(x)) : unit(x);
      return pool ? maxPool(y, pool.kernel, pool.stride) : y;
    };
  }

  /** A full-precision `conv (filter Σ_j s_j·W_j under LBD, as nn's DecomposedConv) → BN`. */
  private floatUnit(
    tensors: TensorSource,
    weightNames: string[],
    scalesName: string | undefined,
    bnPrefix: string,
    cin: number,
    cout: number,
    spec: ConvSpec,
  ): Unit {
    const filters = weightNames.map((name) => tensors.float(name, [spec.kernel, spec.kernel, cin, cout]));
    const filter = scalesName ? multiBaseSum(filters, tensors.float(scalesName, [weightNames.length])) : filters[0]!;
    const bn = tensors.batchNorm(bnPrefix, cout);
    return (x, accumulate) => {
      const y = this.engine.floatConv(x.data, x, filter, cout, spec);
      batchNormInPlace(y, bn);
      return accumulate ? addInPlace(accumulate, y) : y;
    };
  }

  /**
   * A binary `quantize → conv (α·sign(W), Σ_j s_j conv_j under LBD) → BN`, all folded into the
   * convs' output transforms in src/nn's binaryUnitInference order: y = (d_0·S_0 + T) + d_1·S_1 + …,
   * then added into `accumulate`.
   */
  private binaryUnit(
    tensors: TensorSource,
    prefix: string,
    convBases: number,
    quantizer: NonNullable<Quantizer>,
    cin: number,
    cout: number,
    spec: ConvSpec,
  ): Unit {
    const names = unitConvWeights(prefix, convBases);
    const weights = names.map((name) => tensors.binary(name, spec.kernel, cin, cout));
    const alphas = names.map((name) => tensors.float(`${name}${ALPHA_SUFFIX}`, [cout]));
    const scales = convBases > 1 ? tensors.float(`${prefix}.conv.scales`, [convBases]) : undefined;
    const bn = tensors.batchNorm(`${prefix}.bn`, cout);
    const inputScale = quantizer.kind === 'uniform' ? quantizer.beta / (2 ** quantizer.bits - 1) : 1;
    // BN's bias once, with the first conv.
    const transforms: ChannelAffine[] = weights.map((_, j) => {
      const t = foldOutputTransform({ channels: cout, alpha: alphas[j], ...(scales ? { baseScale: scales[j]! } : {}), inputScale, batchNorm: bn });
      if (j > 0) t.bias.fill(0);
      return t;
    });
    const engine = this.engine;
    return (x, accumulate) => {
      // One conv adds straight into `accumulate`; several sum among themselves first, as nn does.
      let out = weights.length === 1 ? accumulate?.data : undefined;
      let shape: FeatureMap | undefined;
      const conv = packedConv(engine, x, quantizer, spec);
      weights.forEach((w, j) => {
        const r = conv(w, transforms[j]!, out);
        out = r.data;
        shape = r;
      });
      const y: FeatureMap = { n: shape!.n, h: shape!.h, w: shape!.w, c: shape!.c, data: out! };
      return accumulate && weights.length > 1 ? addInPlace(accumulate, y) : y;
    };
  }

  private unit(tensors: TensorSource, prefix: string, convBases: number, quantizer: Quantizer, cin: number, cout: number, spec: ConvSpec): Unit {
    if (quantizer) return this.binaryUnit(tensors, prefix, convBases, quantizer, cin, cout, spec);
    return this.floatUnit(tensors, unitConvWeights(prefix, convBases), convBases > 1 ? `${prefix}.conv.scales` : undefined, `${prefix}.bn`, cin, cout, spec);
  }

  /** Full-precision shortcut: identity, or (2×2 average pool if stride 2) → conv 1×1 → BN. Always returns a fresh map. */
  private shortcut(tensors: TensorSource, prefix: string, cin: number, cout: number, stride: number): Stage {
    if (stride === 1 && cin === cout) return (x) => ({ ...x, data: copyToScratch(x.data) });
    const unit = this.floatUnit(tensors, [`${prefix}.conv.weight`], undefined, `${prefix}.bn`, cin, cout, {
      kernel: 1,
      stride: 1,
      dilation: 1,
      padding: 'symmetric',
    });
    return (x) => unit(stride === 1 ? x : avgPoolSame(x, 2, stride));
  }

  private block(tensors: TensorSource, prefix: string, block: ArchBlock, cin: number, width: number, quantizer: Quantizer, convBases: number): Stage {
    const spec = (kernel: number, stride: number, dilation: number): ConvSpec => ({ kernel, stride, dilation, padding: 'symmetric' });
    const main = spec(block.kernel, block.stride, block.dilation);
    const binary = quantizer !== undefined;
    const unit = (name: string, inC: number, outC: number, s: ConvSpec): Unit => this.unit(tensors, `${prefix}.${name}`, convBases, quantizer, inC, outC, s);
    switch (block.kind) {
      case 'basic': {
        const u1 = unit('unit1', cin, width, main);
        const u2 = unit('unit2', width, width, spec(block.kernel, 1, block.dilation));
        const sc = this.shortcut(tensors, `${prefix}.shortcut`, cin, width, block.stride);
        if (binary) {
          // y = BN(conv1(q(x))) + shortcut(x);  out = BN(conv2(q(y))) + y
          return (x) => {
            const y = u1(x, sc(x));
            return u2(y, y);
          };
        }
        return (x) => reluInPlace(u2(reluInPlace(u1(x)), sc(x)));
      }
      case 'bottleneck': {
        const out = 4 * width;
        const u1 = unit('unit1', cin, width, spec(1, 1, 1));
        const u2 = unit('unit2', width, width, main);
        const u3 = unit('unit3', width, out, spec(1, 1, 1));
        const sc = this.shortcut(tensors, `${prefix}.shortcut`, cin, out, block.stride);
        // binary: one shortcut around the block (the Arch contract): out = u3(u2(u1(x))) + shortcut(x)
        if (binary) return (x) => u3(u2(u1(x)), sc(x));
        return (x) => reluInPlace(u3(reluInPlace(u2(reluInPlace(u1(x)))), sc(x)));
      }
      case 'plain': {
        const u1 = unit('unit1', cin, width, main);
        return binary ? (x) => u1(x) : (x) => reluInPlace(u1(x));
      }
      case 'skip':
        return this.shortcut(tensors, `${prefix}.shortcut`, cin, width, block.stride);
      default:
        throw new FileFormatError(this.file, 'arch.blocks', `unknown block kind ${String((block as ArchBlock).kind)}`);
    }
  }
}

/** Pack x once for the unit's quantizer (signs or k-bit planes); returns its conv against any weights. */
function packedConv(
  engine: BinaryEngine,
  x: FeatureMap,
  quantizer: NonNullable<Quantizer>,
  spec: ConvSpec,
): (w: PackedWeights, t: ChannelAffine, out?: Float32Array) => ConvResult<Float32Array> {
  if (quantizer.kind === 'sign') {
    const signs = engine.packSigns(x.data, x);
    return (w, t, out) => engine.conv(signs, w, spec, t, out);
  }
  const planes = engine.packBitPlanes(x.data, x, quantizer.bits, quantizer.beta);
  return (w, t, out) => engine.bitPlaneConv(planes, w, spec, t, out);
}

/** Group boundary, hard: y = Σ λ_k out_k broadcast to every next base (identity when one base). */
function aggregateConnector(engine: BinaryEngine, tensors: TensorSource, name: string, from: number, to: number): Connector {
  if (from === 1) return (outs) => Array.from({ length: to }, () => outs[0]!);
  const lambda = tensors.float(name, [from]);
  return (outs) => {
    const y: FeatureMap = {
      ...outs[0]!,
      data: engine.multiBaseSum(
        outs.map((o) => o.data),
        lambda,
      ),
    };
    return Array.from({ length: to }, () => y);
  };
}

/** Group-Net soft connection: x_j = Σ_k M[j, k] out_k. */
function softConnector(engine: BinaryEngine, tensors: TensorSource, name: string, from: number, to: number): Connector {
  if (from === 1 && to === 1) return (outs) => outs;
  const mix = tensors.float(name, [to, from]);
  return (outs) =>
    engine
      .mixBases(
        outs.map((o) => o.data),
        mix,
      )
      .map((data) => ({ ...outs[0]!, data }));
}

/** Typed, shape-checked access to a model's tensors; a missing or misshapen tensor is a FileFormatError. */
class TensorSource {
  constructor(
    private readonly model: GnbModel,
    private readonly file: string,
  ) {}

  float(name: string, shape: number[]): Float32Array {
    const t = this.model.tensors.get(name);
    if (!t) throw new FileFormatError(this.file, `tensors.${name}`, `missing (the arch needs a float32 tensor of shape [${shape.join(', ')}])`);
    if (t.dtype !== 'float32' || !sameShape(t.shape, shape)) {
      throw new FileFormatError(this.file, `tensors.${name}`, `expected float32 [${shape.join(', ')}], got ${t.dtype} [${t.shape.join(', ')}]`);
    }
    return t.data;
  }

  binary(name: string, kernel: number, cin: number, cout: number): PackedWeights {
    const t = this.model.tensors.get(name);
    const shape = [kernel, kernel, cin, cout];
    if (!t) throw new FileFormatError(this.file, `tensors.${name}`, `missing (the arch needs a binary conv kernel [${shape.join(', ')}])`);
    if (t.dtype !== 'binary' || !sameShape(t.shape, shape)) {
      throw new FileFormatError(this.file, `tensors.${name}`, `expected binary [${shape.join(', ')}], got ${t.dtype} [${t.shape.join(', ')}]`);
    }
    return t.weights;
  }

  batchNorm(prefix: string, channels: number): BatchNormParams {
    const [gamma, beta, movingMean, movingVariance] = BN_FIELDS.map((f) => this.float(`${prefix}.${f}`, [channels])) as [
      Float32Array,
      Float32Array,
      Float32Array,
      Float32Array,
    ];
    return { gamma, beta, movingMean, movingVariance, epsilon: BN_EPSILON };
  }
}

function copyToScratch(x: Float32Array): Float32Array {
  const copy = scratchFloat32(x.length);
  copy.set(x);
  return copy;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
