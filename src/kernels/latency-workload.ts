/**
 * The work of one latency-table entry, built as the packed engine (packed-model.ts) runs it at
 * batch 1, so that the measured time is the time that piece takes inside a model: the same engine
 * calls and float-ops loops on inputs of the same shape and kind (seeded, weights random ±1).
 */
import { createRng } from '../util/random.js';
import { convGeometry, type ConvSpec } from './conv-spec.js';
import type { BinaryEngine } from './engine.js';
import { addInPlace, avgPoolSame, batchNormInPlace, dense, globalAvgPool, maxPool, reluInPlace, resizeBilinear, type FeatureMap } from './float-ops.js';
import { isConvEntry, type ConvEntry, type LatencyEntry, type OpEntry } from './latency-entry.js';
import { foldOutputTransform } from './output-transform.js';
import { packWeights } from './weights.js';

function randomSigns(seed: number, length: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length }, () => (rng() < 0.5 ? -1 : 1));
}

/** Activations as a unit sees them: roughly zero-centred, some beyond the 2-bit clip range. */
function randomFloats(seed: number, length: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length }, () => 3 * rng() - 1);
}

/** A closure that runs the entry's work once. */
export function entryWorkload(e: LatencyEntry, engine: BinaryEngine): () => void {
  return isConvEntry(e) ? convWorkload(e, engine) : opWorkload(e, engine);
}

/**
 * The entry's K convs as the packed engine runs them (ConvOutput): quantize/pack the input (once
 * for an LBD `sum`, else per base), conv, fold the output transform, into a new map, the LBD sum or
 * the base's existing residual map (a float conv for 32-bit entries).
 */
function convWorkload(e: ConvEntry, engine: BinaryEngine): () => void {
  const spec: ConvSpec = { kernel: e.kernel, stride: e.stride, dilation: e.dilation, padding: 'symmetric' };
  const shape = { n: 1, h: e.h, w: e.w, c: e.inChannels };
  const size = e.h * e.w * e.inChannels;
  const weightShape = { kernel: e.kernel, inChannels: e.inChannels, outChannels: e.outChannels };
  const weightSize = e.kernel * e.kernel * e.inChannels * e.outChannels;
  const transform = foldOutputTransform({ channels: e.outChannels });
  const bases = Array.from({ length: e.bases }, (_, k) => k);
  const inputs = bases.map((k) => randomFloats(k, size));
  if (e.bits === 32) {
    const filters = bases.map((k) => randomSigns(100 + k, weightSize));
    return () => {
      for (const k of bases) engine.floatConv(inputs[k]!, shape, filters[k]!, e.outChannels, spec);
    };
  }
  const weights = bases.map((k) => packWeights(randomSigns(100 + k, weightSize), weightShape));
  const bits = e.bits;
  const pack = (x: Float32Array): ((k: number, out?: Float32Array) => Float32Array) => {
    if (bits === 1) {
      const signs = engine.packSigns(x, shape);
      return (k, out) => engine.conv(signs, weights[k]!, spec, transform, out).data;
    }
    const planes = engine.packBitPlanes(x, shape, bits, 2);
    return (k, out) => engine.bitPlaneConv(planes, weights[k]!, spec, transform, out).data;
  };
  const output = e.output ?? 'new';
  if (output === 'sum') {
    return () => {
      const conv = pack(inputs[0]!);
      let sum: Float32Array | undefined;
      for (const k of bases) sum = conv(k, sum);
    };
  }
  // The residual maps a unit adds into exist before it runs (its shortcut's copy, its own input).
  const { outH, outW } = convGeometry(e.h, e.w, spec);
  const residuals = output === 'add' ? bases.map((k) => randomFloats(200 + k, outH * outW * e.outChannels)) : undefined;
  return () => {
    for (const k of bases) pack(inputs[k]!)(k, residuals?.[k]);
  };
}

function opWorkload(e: OpEntry, engine: BinaryEngine): () => void {
  const map = (seed: number): FeatureMap => ({ n: 1, h: e.h, w: e.w, c: e.c, data: randomFloats(seed, e.h * e.w * e.c) });
  const x = map(0);
  switch (e.op) {
    case 'batchNorm': {
      // γ = 1, σ² = 1 − ε: a scale of one, so repeating it in place keeps the values (and their speed) as they are.
      const ones = new Float32Array(e.c).fill(1);
      const bn = { gamma: ones, beta: new Float32Array(e.c), movingMean: new Float32Array(e.c), movingVariance: ones.map(() => 1 - 1e-5), epsilon: 1e-5 };
      return () => batchNormInPlace(x, bn);
    }
    case 'relu': {
      // Fresh values every run (half of them negative, as a BN output's): ReLU's cost depends on them.
      const source = x.data.slice();
      return () => {
        x.data.set(source);
        reluInPlace(x);
      };
    }
    case 'add': {
      const b = map(1);
      return () => addInPlace(x, b);
    }
    case 'copy':
      return () => x.data.slice();
    case 'avgPool':
      return () => avgPoolSame(x, e.window, e.stride);
    case 'maxPool':
      return () => maxPool(x, e.window, e.stride);
    case 'mix': {
      const parts = Array.from({ length: e.from }, (_, k) => map(k).data);
      const weights = randomFloats(50, e.from * e.to);
      return e.to === 1 ? () => engine.multiBaseSum(parts, weights) : () => engine.mixBases(parts, weights);
    }
    case 'head': {
      const weight = randomFloats(60, e.c * e.classes);
      const bias = randomFloats(61, e.classes);
      return () => dense(globalAvgPool(x), 1, weight, bias, e.c, e.classes);
    }
    case 'fcnHead': {
      // The packed engine's FCN head step by step: classifiers per pixel, up-sampling, the skip's sum.
      const score = (m: FeatureMap, seed: number): (() => FeatureMap) => {
        const weight = randomFloats(seed, m.c * e.classes);
        const bias = randomFloats(seed + 1, e.classes);
        return () => ({ n: 1, h: m.h, w: m.w, c: e.classes, data: dense(m.data, m.h * m.w, weight, bias, m.c, e.classes) });
      };
      const last = score(x, 60);
      const skipMap = e.skip ? { n: 1, ...e.skip, data: randomFloats(62, e.skip.h * e.skip.w * e.skip.c) } : undefined;
      const skip = skipMap ? score(skipMap, 63) : undefined;
      return () => {
        let scores = last();
        if (skip && skipMap) scores = addInPlace(resizeBilinear(scores, skipMap.h, skipMap.w), skip());
        return resizeBilinear(scores, e.outHeight, e.outWidth);
      };
    }
  }
}
