import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backend/select.js';
import { loadDatasetCached, normalizeImages } from '../../src/data/index.js';
import { loadConfig } from '../../src/space/config-file.js';
import { spaceFromConfig } from '../../src/space/config-space.js';
import { buildPreset } from '../../src/space/presets.js';
import type { Arch } from '../../src/space/arch.js';
import { exportRunOnnx } from '../../src/train/export-onnx.js';
import { loadRunModel } from '../../src/train/run-model.js';
import { evaluateRun, trainArch } from '../../src/train/training-run.js';
import { tinyTraining } from '../helpers/tiny-training.js';
import * as tf from '../helpers/tfjs.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'gn-onnx-'));
/** The networks at width 0.125 (4/8/16 channels): the ops and their order are what is checked, not the width. */
const WIDTH = 0.125;
/** Images the run trains on (two steps) and tests on: weights only need to be off their initial values. */
const RUN_IMAGES = 64;

interface Comparison {
  images: number;
  maxRelative: number;
  argmaxAgree: number;
  onnxAccuracy: number;
  tfjsAccuracy: number;
}

/** Logits of the run's model in tfjs (inference mode, as `groupnas eval` computes them) on every test image, NHWC normalized. */
function tfjsLogits(runDir: string, x: Float32Array, n: number, arch: Arch): Float32Array {
  const { model } = loadRunModel(runDir);
  const { height, width, channels } = arch.input;
  const out = new Float32Array(n * arch.head.classes);
  try {
    for (let start = 0; start < n; start += 256) {
      const count = Math.min(256, n - start);
      const logits = tf.tidy(() =>
        model.forward(
          tf.tensor4d(x.subarray(start * height * width * channels, (start + count) * height * width * channels), [count, height, width, channels]),
          false,
        ),
      );
      out.set(logits.dataSync(), start * arch.head.classes);
      logits.dispose();
    }
  } finally {
    model.dispose();
  }
  return out;
}

function nchw(x: Float32Array, n: number, h: number, w: number, c: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let b = 0; b < n; b++)
    for (let y = 0; y < h; y++)
      for (let i = 0; i < w; i++) for (let ch = 0; ch < c; ch++) out[((b * c + ch) * h + y) * w + i] = x[((b * h + y) * w + i) * c + ch]!;
  return out;
}

const argmax = (row: Float32Array): number => row.reduce((best, v, i) => (v > row[best]! ? i : best), 0);

async function compare(preset: string | Arch): Promise<Comparison & { run: string; tfjsOnRunImages: number }> {
  const arch = typeof preset === 'string' ? buildPreset(preset, { widthMultiplier: WIDTH }) : preset;
  const run = join(tmp(), 'run');
  const trained = trainArch(arch, tinyTraining({ limit: RUN_IMAGES, testLimit: RUN_IMAGES }), run);
  const file = join(run, 'model.onnx');
  exportRunOnnx(run, file);
  const dataset = loadDatasetCached({ data: 'embedded' });
  const test = dataset.test;
  const n = test.count;
  const { height, width, channels } = arch.input;
  const x = normalizeImages(test.images, channels, dataset.stats);
  const expected = tfjsLogits(run, x, n, arch);
  // onnxruntime's default options (graph optimizations on), as a user runs it
  const session = await ort.InferenceSession.create(file);
  const result = await session.run({ images: new ort.Tensor('float32', nchw(x, n, height, width, channels), [n, channels, height, width]) });
  const actual = result.logits!.data as Float32Array;
  const classes = arch.head.classes;
  let maxRelative = 0;
  let argmaxAgree = 0;
  let onnxCorrect = 0;
  let tfjsCorrect = 0;
  let tfjsCorrectOnRunImages = 0;
  for (let i = 0; i < n; i++) {
    const e = expected.subarray(i * classes, (i + 1) * classes);
    const a = actual.subarray(i * classes, (i + 1) * classes);
    const scale = Math.max(...e.map(Math.abs));
    for (let j = 0; j < classes; j++) maxRelative = Math.max(maxRelative, Math.abs(a[j]! - e[j]!) / scale);
    if (argmax(a) === argmax(e)) argmaxAgree++;
    if (argmax(a) === test.labels[i]) onnxCorrect++;
    if (argmax(e) === test.labels[i]) tfjsCorrect++;
    if (argmax(e) === test.labels[i] && i < RUN_IMAGES) tfjsCorrectOnRunImages++;
  }
  // These tfjs logits are the ones `groupnas eval` scores: the run's own test accuracy (its first images) agrees.
  expect(tfjsCorrectOnRunImages / RUN_IMAGES).toBe(trained.final.accuracy);
  return {
    run,
    images: n,
    maxRelative,
    argmaxAgree,
    onnxAccuracy: onnxCorrect / n,
    tfjsAccuracy: tfjsCorrect / n,
    tfjsOnRunImages: tfjsCorrectOnRunImages / RUN_IMAGES,
  };
}

/**
 * An architecture of the default search space as the derivation decodes one: per-group bases,
 * activation bits 1/2/4 and group boundaries (continue / aggregate / soft) all off the template.
 */
function searchedArch(): Arch {
  const space = spaceFromConfig(loadConfig('default', [`backbone.widthMultiplier=${WIDTH}`]));
  const indices = space.variables.map((v, i) => (i + 1) % v.choices.length);
  return { ...space.decode(indices), name: 'default/searched' };
}

beforeAll(async () => {
  await selectBackend('wasm');
});

describe('ONNX export in onnxruntime', () => {
  it.each(['groupnet-k1', 'groupnet-k3', 'groupnet-k5', 'groupnet-k5-a2', 'groupnet-k5-a4', 'gbd-v2-k5'])(
    '%s: logits within 1e-4 of tfjs on every embedded test image, argmax identical',
    async (preset) => {
      const r = await compare(preset);
      console.log(preset, JSON.stringify(r));
      expect(r.argmaxAgree).toBe(r.images);
      expect(r.maxRelative).toBeLessThan(1e-4);
    },
    300_000,
  );

  it.each([
    ['bottleneck-r', 'groupnet-k3'],
    ['plain-r', 'groupnet-k3'],
    ['resnet-r', 'fp'],
  ])(
    '%s %s (bottleneck and plain blocks, the full-precision twin): the same',
    async (backbone, preset) => {
      const r = await compare(buildPreset(preset, { backbone, widthMultiplier: WIDTH }));
      expect(r.argmaxAgree).toBe(r.images);
      expect(r.maxRelative).toBeLessThan(1e-4);
    },
    300_000,
  );

  it('block operations a search can choose (skip as identity and as projection, plain between basic blocks): the same', async () => {
    const arch = buildPreset('groupnet-k3', { widthMultiplier: WIDTH });
    const kinds = ['basic', 'skip', 'skip', 'plain', 'basic', 'skip'] as const;
    const r = await compare({ ...arch, name: 'block-ops', blocks: arch.blocks.map((b, i) => ({ ...b, kind: kinds[i]! })) });
    expect(r.argmaxAgree).toBe(r.images);
    expect(r.maxRelative).toBeLessThan(1e-4);
  }, 300_000);

  it('an architecture of the searched space (mixed bases, bits and connections): the same', async () => {
    const arch = searchedArch();
    expect(new Set(arch.bits)).toEqual(new Set([1, 2, 4]));
    expect(arch.connections).toContain('soft');
    const r = await compare(arch);
    console.log(arch.name, JSON.stringify({ bases: arch.bases, bits: arch.bits, connections: arch.connections, ...r }));
    expect(r.argmaxAgree).toBe(r.images);
    expect(r.maxRelative).toBeLessThan(1e-4);
    // and `groupnas eval` itself (the run's checkpoint, reloaded) scores what these logits score
    expect(evaluateRun(r.run).accuracy).toBe(r.tfjsOnRunImages);
  }, 300_000);
});
