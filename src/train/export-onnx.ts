/**
 * `groupnas export --format onnx`: a trained run as a standard ONNX model (opset 13) that any ONNX
 * runtime loads. It is the tfjs model's inference (`GroupNetModel.forward(x, false)`) written as
 * ONNX operators, NCHW, input `images` [N, C, H, W] normalized as in training (mean/std in the
 * metadata), output `logits` [N, classes]:
 *
 *   binary unit   levels = sign(x) as Where(x < 0, −1, +1)          (sign(0) = +1; ONNX Sign gives 0)
 *                       or Round(Clip(x, 0, β) · (2^k−1)/β)           (k bits; Round is half to even, as tf.round)
 *                 y = Conv(levels, sign(W)) · S_0 + T + Σ_j Conv(levels, sign(W_j)) · S_j
 *                 sign(W) as ±1 constants; S_j = α_j·step·γ/√(σ²+ε) and T = β − μ·γ/√(σ²+ε) per channel
 *                 (α = mean|W| per output channel, step = β_q/(2^k−1)), both exactly as tfjs computes
 *                 them (nn's binaryUnitTransform); the convs are integer-exact in any summation order
 *   float BN      x · s + t (folded as the wasm backend folds it)
 *   connections   x_j = Σ_k M[j,k] · out_k as Mul and chained Add, base order (soft: M; aggregate: λᵀ)
 *   zero padding  as tfjs: dilation·(k−1)/2 zeros on every side of each conv
 *
 * Every value a quantizer sees must equal tfjs's bit for bit, or a level or sign near its edge flips
 * and the difference spreads. Elementwise ops are correctly rounded everywhere, so the float convs
 * feeding quantizers (the stem, the shortcuts' avg-pool and 1×1 conv) are written in tfjs-wasm's
 * summation order as Slice/Mul/Add (taps, then input channels, each product rounded; the pool as
 * XNNPACK adds its taps), not as Conv and AveragePool, whose order a runtime chooses. The float
 * convs of full-precision groups and the head (global pool, classifier) use Conv and MatMul.
 * A binary conv's scale is the first operand of its Mul: onnxruntime's Conv+Mul fusion (on by
 * default) only matches a constant second operand, and folding S into the ±1 weights would make the
 * conv's sum inexact. So onnxruntime with its default options gives tfjs's logits to ~1e-6 relative.
 */
import { resolve } from 'node:path';
import { statSync } from 'node:fs';
import type { Dataset } from '../data/index.js';
import { foldBatchNorm } from '../kernels/index.js';
import {
  AggregateConnector,
  BasicBlock,
  BottleneckBlock,
  binaryUnitTransform,
  PlainBlock,
  SkipBlock,
  SoftConnector,
  type BaseConnector,
  type BatchNorm,
  type Block,
  type ConvUnit,
  type GroupNetModel,
  type Shortcut,
} from '../nn/index.js';
import type { Arch } from '../space/arch.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { UsageError } from '../util/errors.js';
import * as tf from '../util/tfjs.js';
import { VERSION } from '../util/version.js';
import { DEFAULT_ACTIVATION_CLIP } from '../space/activation-clip.js';
import { openRunForExport, withOutputLock } from './export-packed.js';
import { readRunResult } from './run-directory.js';
import { OnnxGraph } from './onnx-graph.js';

/** A value of the graph: its name and NCHW shape (batch symbolic). */
interface Value {
  name: string;
  c: number;
  h: number;
  w: number;
}

export interface OnnxExportOptions {
  /** The input normalization the model expects (recorded in the metadata). */
  normalization?: { mean: number[]; std: number[] };
  /** Clip β of the k-bit quantizers (nn's `activationClip`; default DEFAULT_ACTIVATION_CLIP). */
  activationClip?: number;
  /** More metadata_props entries. */
  metadata?: Record<string, string>;
}

export interface ExportedOnnxModel {
  path: string;
  bytes: number;
  arch: Arch;
  tfjsTestAccuracy?: number;
  testImages?: number;
}

const values = (t: tf.Tensor): Float32Array => t.dataSync() as Float32Array;
const perChannel = (data: ArrayLike<number>): number[] => [1, data.length, 1, 1];

/** HWIO [k, k, in, out] → OIHW [out, in, k, k] (ONNX Conv's layout), optionally mapping each value. */
function oihw(hwio: Float32Array, shape: readonly number[], map: (v: number) => number = (v) => v): Float32Array {
  const [kh, kw, cin, cout] = shape as [number, number, number, number];
  const out = new Float32Array(hwio.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < cin; i++) for (let o = 0; o < cout; o++) out[((o * cin + i) * kh + y) * kw + x] = map(hwio[((y * kw + x) * cin + i) * cout + o]!);
  return out;
}

/** Output size of a conv or pool with symmetric padding `pad`. */
function outSize(size: number, kernel: number, stride: number, dilation: number, pad: number): number {
  return Math.floor((size + 2 * pad - dilation * (kernel - 1) - 1) / stride) + 1;
}

class GroupNetOnnxWriter {
  readonly g = new OnnxGraph();
  private readonly scalars = new Map<number, string>();

  constructor(private readonly beta: number) {}

  scalar(v: number): string {
    const key = Math.fround(v);
    let name = this.scalars.get(key);
    if (name === undefined) {
      name = this.g.constant(`const_${key}`, [key], []);
      this.scalars.set(key, name);
    }
    return name;
  }

  like(x: Value, name: string, shape: Partial<Value> = {}): Value {
    return { ...x, ...shape, name };
  }

  add(a: Value, b: Value, hint: string): Value {
    return this.like(a, this.g.node('Add', [a.name, b.name], hint));
  }

  relu(x: Value, hint: string): Value {
    return this.like(x, this.g.node('Relu', [x.name], hint));
  }

  /** x · s + t per channel, s and t as the wasm backend's BatchNorm kernel folds them. */
  batchNorm(x: Value, bn: BatchNorm, hint: string): Value {
    const { scale, shift } = foldBatchNorm({
      gamma: values(bn.gamma),
      beta: values(bn.beta),
      movingMean: values(bn.runningMean),
      movingVariance: values(bn.runningVar),
      epsilon: bn.epsilon,
    });
    const scaled = this.g.node('Mul', [x.name, this.g.constant(`${hint}.scale`, scale, perChannel(scale))], `${hint}.scaled`);
    return this.like(x, this.g.node('Add', [scaled, this.g.constant(`${hint}.shift`, shift, perChannel(shift))], hint));
  }

  /** Zero-pad H and W: `top`/`left` before, `bottom`/`right` after. */
  pad(x: Value, top: number, left: number, bottom: number, right: number, hint: string): Value {
    if (top === 0 && left === 0 && bottom === 0 && right === 0) return x;
    const pads = this.g.int64s(`${hint}.pads`, [0, 0, top, left, 0, 0, bottom, right]);
    return this.like(x, this.g.node('Pad', [x.name, pads], hint), { h: x.h + top + bottom, w: x.w + left + right });
  }

  /** x[:, :, y0 :: stride][:outH], x[:, :, :, x0 :: stride][:outW]. */
  strided(x: Value, y0: number, x0: number, stride: number, outH: number, outW: number, hint: string): Value {
    const g = this.g;
    const starts = g.int64s(`${hint}.starts`, [y0, x0]);
    const ends = g.int64s(`${hint}.ends`, [y0 + (outH - 1) * stride + 1, x0 + (outW - 1) * stride + 1]);
    const axes = g.int64s(`${hint}.axes`, [2, 3]);
    const steps = g.int64s(`${hint}.steps`, [stride, stride]);
    return this.like(x, g.node('Slice', [x.name, starts, ends, axes, steps], hint), { h: outH, w: outW });
  }

  /**
   * A float conv in tfjs-wasm's (XNNPACK's) arithmetic: acc = Σ over taps (ky, kx), then input
   * channels, of x·w with each product rounded, added in that order from 0 — so it is bit-identical.
   */
  exactConv(x: Value, weight: tf.Tensor, stride: number, dilation: number, hint: string): Value {
    const [k, , cin, cout] = weight.shape as [number, number, number, number];
    const w = values(weight);
    const pad = (dilation * (k - 1)) / 2;
    const outH = outSize(x.h, k, stride, dilation, pad);
    const outW = outSize(x.w, k, stride, dilation, pad);
    const padded = this.pad(x, pad, pad, pad, pad, `${hint}.padded`);
    let acc: string | undefined;
    for (let ky = 0; ky < k; ky++) {
      for (let kx = 0; kx < k; kx++) {
        const tap = this.strided(padded, ky * dilation, kx * dilation, stride, outH, outW, `${hint}.tap${ky}${kx}`);
        const channels = cin === 1 ? [tap.name] : this.g.nodeOutputs('Split', [tap.name], `${hint}.tap${ky}${kx}.ch`, { axis: 1 }, cin);
        channels.forEach((channel, ci) => {
          const column = w.subarray(((ky * k + kx) * cin + ci) * cout, ((ky * k + kx) * cin + ci + 1) * cout);
          const product = this.g.node('Mul', [channel, this.g.constant(`${hint}.w${ky}${kx}.${ci}`, column, [1, cout, 1, 1])], `${hint}.p${ky}${kx}.${ci}`);
          acc = acc === undefined ? product : this.g.node('Add', [acc, product], `${hint}.acc`);
        });
      }
    }
    return { name: acc!, c: cout, h: outH, w: outW };
  }

  /** A float conv as an ONNX Conv (full-precision groups, where no quantizer follows). */
  conv(x: Value, weight: tf.Tensor, stride: number, dilation: number, hint: string, map?: (v: number) => number): Value {
    const [k, , , cout] = weight.shape as [number, number, number, number];
    const pad = (dilation * (k - 1)) / 2;
    const w = this.g.constant(`${hint}.weight`, oihw(values(weight), weight.shape, map), [cout, weight.shape[2]!, k, k]);
    const name = this.g.node('Conv', [x.name, w], hint, {
      kernel_shape: [k, k],
      strides: [stride, stride],
      dilations: [dilation, dilation],
      pads: [pad, pad, pad, pad],
    });
    return { name, c: cout, h: outSize(x.h, k, stride, dilation, pad), w: outSize(x.w, k, stride, dilation, pad) };
  }

  /**
   * 2×2 average pool with TensorFlow 'same' padding, counting only positions inside the input, as
   * XNNPACK sums it: ((x01 + x11) + (x00 + x10)) · (1/count), taps as (row, column).
   */
  exactAvgPool2(x: Value, stride: number, hint: string): Value {
    const outH = Math.ceil(x.h / stride);
    const outW = Math.ceil(x.w / stride);
    const padH = Math.max((outH - 1) * stride + 2 - x.h, 0);
    const padW = Math.max((outW - 1) * stride + 2 - x.w, 0);
    const top = Math.floor(padH / 2);
    const left = Math.floor(padW / 2);
    const padded = this.pad(x, top, left, padH - top, padW - left, `${hint}.padded`);
    const tap = (ky: number, kx: number) => this.strided(padded, ky, kx, stride, outH, outW, `${hint}.tap${ky}${kx}`).name;
    const right = this.g.node('Add', [tap(0, 1), tap(1, 1)], `${hint}.right`);
    const leftSum = this.g.node('Add', [tap(0, 0), tap(1, 0)], `${hint}.left`);
    const sum = this.g.node('Add', [right, leftSum], `${hint}.sum`);
    const inverse = new Float32Array(outH * outW);
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        let count = 0;
        for (let ky = 0; ky < 2; ky++)
          for (let kx = 0; kx < 2; kx++) {
            const iy = oy * stride - top + ky;
            const ix = ox * stride - left + kx;
            if (iy >= 0 && iy < x.h && ix >= 0 && ix < x.w) count++;
          }
        inverse[oy * outW + ox] = 1 / count;
      }
    }
    const scaled = this.g.node('Mul', [sum, this.g.constant(`${hint}.inverse_count`, inverse, [1, 1, outH, outW])], hint);
    return { name: scaled, c: x.c, h: outH, w: outW };
  }

  /** The quantizer's output in integer units: ±1 (sign, sign(0) = +1) or the level index 0..2^k−1. */
  levels(x: Value, bits: number, hint: string): Value {
    if (bits === 1) {
      const negative = this.g.node('Less', [x.name, this.scalar(0)], `${hint}.negative`);
      return this.like(x, this.g.node('Where', [negative, this.scalar(-1), this.scalar(1)], hint));
    }
    const levels = 2 ** bits - 1;
    const clipped = this.g.node('Clip', [x.name, this.scalar(0), this.scalar(this.beta)], `${hint}.clipped`);
    const scaled = this.g.node('Mul', [clipped, this.scalar(levels / this.beta)], `${hint}.scaled`);
    return this.like(x, this.g.node('Round', [scaled], hint));
  }

  unit(x: Value, unit: ConvUnit, hint: string): Value {
    const { quantizer: q, stride } = unit.options;
    const convs = unit.conv.convs;
    if (q === undefined) {
      const y = this.conv(x, convs[0]!.effectiveWeight(), stride, unit.options.dilation, `${hint}.conv`);
      return this.batchNorm(y, unit.bn, `${hint}.bn`);
    }
    if (!convs[0]!.options.binary) throw new UsageError(`${hint}: real-valued weights (staged training, stage 1) have no binary model to export`);
    const levels = this.levels(x, q.kind === 'sign' ? 1 : q.bits, `${hint}.levels`);
    const { scales, bias } = binaryUnitTransform(q, unit.conv, unit.bn);
    try {
      let y: Value | undefined;
      convs.forEach((c, j) => {
        const name = convs.length === 1 ? `${hint}.conv` : `${hint}.conv${j}`;
        const dots = this.conv(levels, c.weight, stride, unit.options.dilation, name, (v) => (v < 0 ? -1 : 1));
        const s = values(scales[j]!);
        const term = this.like(dots, this.g.node('Mul', [this.g.constant(`${name}.scale`, s, perChannel(s)), dots.name], `${name}.scaled`));
        if (y === undefined) {
          const t = values(bias);
          y = this.like(term, this.g.node('Add', [term.name, this.g.constant(`${hint}.bias`, t, perChannel(t))], `${hint}.out`));
        } else y = this.add(y, term, `${hint}.out`);
      });
      return y!;
    } finally {
      tf.dispose([...scales, bias]);
    }
  }

  shortcut(x: Value, s: Shortcut, hint: string): Value {
    if (s.conv === undefined || s.bn === undefined) return x;
    const pooled = s.stride === 1 ? x : this.exactAvgPool2(x, s.stride, `${hint}.pool`);
    return this.batchNorm(this.exactConv(pooled, s.conv.weight, 1, 1, `${hint}.conv`), s.bn, `${hint}.bn`);
  }

  block(x: Value, block: Block, hint: string): Value {
    if (block instanceof BasicBlock) {
      if (block.spec.quantizer === undefined) {
        const h = this.relu(this.unit(x, block.unit1, `${hint}.unit1`), `${hint}.relu1`);
        return this.relu(this.add(this.unit(h, block.unit2, `${hint}.unit2`), this.shortcut(x, block.shortcut, `${hint}.shortcut`), `${hint}.sum`), hint);
      }
      const y = this.add(this.unit(x, block.unit1, `${hint}.unit1`), this.shortcut(x, block.shortcut, `${hint}.shortcut`), `${hint}.mid`);
      return this.add(this.unit(y, block.unit2, `${hint}.unit2`), y, hint);
    }
    if (block instanceof BottleneckBlock) {
      const fp = block.spec.quantizer === undefined;
      const a = this.unit(x, block.unit1, `${hint}.unit1`);
      const b = this.unit(fp ? this.relu(a, `${hint}.relu1`) : a, block.unit2, `${hint}.unit2`);
      const c = this.unit(fp ? this.relu(b, `${hint}.relu2`) : b, block.unit3, `${hint}.unit3`);
      const sum = this.add(c, this.shortcut(x, block.shortcut, `${hint}.shortcut`), fp ? `${hint}.sum` : hint);
      return fp ? this.relu(sum, hint) : sum;
    }
    if (block instanceof PlainBlock) {
      const y = this.unit(x, block.unit1, `${hint}.unit1`);
      return block.spec.quantizer === undefined ? this.relu(y, hint) : y;
    }
    if (block instanceof SkipBlock) return this.shortcut(x, block.shortcut, `${hint}.shortcut`);
    throw new UsageError(`${hint}: no ONNX form for a block of type ${block.constructor.name}`);
  }

  /** x_j = Σ_k W[j, k]·out_k, products rounded, added in base order (as tfjs's mul + addN). */
  mix(outputs: Value[], weights: Float32Array, rows: number, hint: string): Value[] {
    const cols = outputs.length;
    return Array.from({ length: rows }, (_, j) => {
      let acc: Value | undefined;
      outputs.forEach((o, k) => {
        const term = this.like(o, this.g.node('Mul', [o.name, this.scalar(weights[j * cols + k]!)], `${hint}.${j}.term${k}`));
        acc = acc === undefined ? term : this.add(acc, term, `${hint}.${j}`);
      });
      return acc!;
    });
  }

  connect(outputs: Value[], connector: BaseConnector, hint: string): Value[] {
    if (connector instanceof SoftConnector) return connector.mix === undefined ? outputs : this.mix(outputs, values(connector.mix), connector.toBases, hint);
    if (connector instanceof AggregateConnector) {
      const y = connector.lambda === undefined ? outputs[0]! : this.mix(outputs, values(connector.lambda), 1, hint)[0]!;
      return Array.from({ length: connector.toBases }, () => y);
    }
    throw new UsageError(`${hint}: no ONNX form for a connector of type ${connector.constructor.name}`);
  }
}

/** The `.onnx` bytes of `model`'s inference, with the input normalization and provenance in its metadata. */
export function onnxModelBytes(model: GroupNetModel, options: OnnxExportOptions = {}): Uint8Array {
  const arch = model.arch;
  const fc = model.fc;
  if (fc === undefined) throw new UsageError(`${arch.name ?? 'arch'}: ONNX export covers classifiers; a segmentation model (FCN head) exports to .gnb only`);
  const writer = new GroupNetOnnxWriter(options.activationClip ?? DEFAULT_ACTIVATION_CLIP);
  const g = writer.g;
  const input: Value = { name: g.input('images'), c: arch.input.channels, h: arch.input.height, w: arch.input.width };
  const stemConv = writer.exactConv(input, model.stemConv.weight, arch.stem.stride, 1, 'stem.conv');
  let stem = writer.batchNorm(stemConv, model.stemBn, 'stem.bn');
  if (model.stemRelu) stem = writer.relu(stem, 'stem.relu');
  const pool = arch.stem.pool;
  if (pool !== undefined) {
    // as nn's stem pool: an odd window pads (k−1)/2 on every side, an even one pads TensorFlow 'same'
    const odd = pool.kernel % 2 === 1;
    const outH = odd ? outSize(stem.h, pool.kernel, pool.stride, 1, (pool.kernel - 1) / 2) : Math.ceil(stem.h / pool.stride);
    const outW = odd ? outSize(stem.w, pool.kernel, pool.stride, 1, (pool.kernel - 1) / 2) : Math.ceil(stem.w / pool.stride);
    const same = (size: number, out: number) => Math.max((out - 1) * pool.stride + pool.kernel - size, 0);
    const [ph, pw] = [same(stem.h, outH), same(stem.w, outW)];
    const half = (pool.kernel - 1) / 2;
    const pads = odd ? [half, half, half, half] : [Math.floor(ph / 2), Math.floor(pw / 2), ph - Math.floor(ph / 2), pw - Math.floor(pw / 2)];
    const name = g.node('MaxPool', [stem.name], 'stem.pool', { kernel_shape: [pool.kernel, pool.kernel], strides: [pool.stride, pool.stride], pads });
    stem = { name, c: stem.c, h: outH, w: outW };
  }
  let inputs: Value[] = model.groups[0]!.bases.map(() => stem);
  model.groups.forEach((group, gi) => {
    let hidden = inputs;
    for (let i = group.start; i < group.end; i++) {
      hidden = group.bases.map((blocks, k) => writer.block(hidden[k]!, blocks[i - group.start]!, `groups.${gi}.bases.${k}.blocks.${i}`));
    }
    inputs =
      gi < model.connections.length ? writer.connect(hidden, model.connections[gi]!, `connections.${gi}`) : writer.connect(hidden, model.output, 'output');
  });
  const features = inputs[0]!;
  const pooled = g.node('GlobalAveragePool', [features.name], 'head.pool');
  const flat = g.node('Flatten', [pooled], 'head.flatten', { axis: 1 });
  const fcWeight = fc.weight;
  const product = g.node('MatMul', [flat, g.constant('head.fc.weight', values(fcWeight), [...fcWeight.shape])], 'head.fc.product');
  const logits = g.node('Add', [product, g.constant('head.fc.bias', values(fc.bias), [arch.head.classes])], 'head.fc');
  g.output(logits, 'logits');
  const metadata: Record<string, string> = {
    'groupnas.arch': JSON.stringify(arch),
    'groupnas.input': 'images: NCHW float32, (pixel/255 − mean) / std per channel',
    ...(options.normalization ? { 'groupnas.normalization': JSON.stringify(options.normalization) } : {}),
    ...options.metadata,
  };
  return g.encode({
    inputs: [{ name: 'images', shape: ['N', arch.input.channels, arch.input.height, arch.input.width] }],
    outputs: [{ name: 'logits', shape: ['N', arch.head.classes] }],
    producerVersion: VERSION,
    docString: `groupnas ${arch.name ?? 'model'}: binary weights as ±1 constants with per-channel scales, quantizers as standard ops`,
    metadata,
  });
}

/** Export the last checkpoint of run directory `runDir` as an ONNX model at `out` (written atomically). */
export function exportRunOnnx(runDir: string, out: string, loaded?: Dataset): ExportedOnnxModel {
  return withOutputLock(out, () => exportOnnxLocked(runDir, out, loaded));
}

function exportOnnxLocked(runDir: string, out: string, loaded?: Dataset): ExportedOnnxModel {
  const { record, model, dataset } = openRunForExport(runDir, out, loaded);
  try {
    const result = readRunResult(runDir);
    const bytes = onnxModelBytes(model, {
      normalization: { mean: [...dataset.stats.mean], std: [...dataset.stats.std] },
      metadata: {
        'groupnas.source': JSON.stringify({ run: resolve(runDir), data: record.options.data, dataset: record.dataset.name, checksum: record.dataset.checksum }),
        ...(result ? { 'groupnas.tfjsTestAccuracy': String(result.testAccuracy) } : {}),
      },
    });
    writeFileAtomic(out, bytes);
    return {
      path: out,
      bytes: statSync(out).size,
      arch: record.arch,
      ...(result ? { tfjsTestAccuracy: result.testAccuracy, testImages: result.testImages } : {}),
    };
  } finally {
    model.dispose();
  }
}
