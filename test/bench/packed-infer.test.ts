// End to end: train a tiny Group-Net, export its checkpoint to .gnb, run it through the packed
// engine, and compare with the tfjs model in inference mode on every test image.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '../helpers/tfjs.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backend/select.js';
import { inferPackedModel, timeThreadedInference } from '../../src/bench/packed-infer.js';
import { firstImages, loadDataset, normalizeImages } from '../../src/data/index.js';
import { loadPackedModel } from '../../src/kernels/packed-model-file.js';
import type { Arch } from '../../src/space/arch.js';
import { buildPreset } from '../../src/space/presets.js';
import { exportRunModel } from '../../src/train/export-packed.js';
import type { TrainingOptions } from '../../src/train/training-options.js';
import { loadRunModel } from '../../src/train/run-model.js';
import { trainArch } from '../../src/train/training-run.js';
import { UsageError } from '../../src/util/errors.js';
import { ensureWasmBuilt } from '../kernels/ensure-wasm.js';
import { tinyTraining } from '../helpers/tiny-training.js';
import { ensureBuilt } from '../helpers/ensure-built.js';

const TEST_IMAGES = 120;

/** Group-Net R at width 0.25, K=3 (1-bit activations, the paper's model). */
function binaryArch(): Arch {
  return buildPreset('groupnet-k3', { widthMultiplier: 0.25 });
}

/** The same with every quantizer kind: 1-bit, 2-bit and 4-bit groups. */
function mixedArch(): Arch {
  const arch = binaryArch();
  return { ...arch, name: 'tiny-mixed-bits', bits: arch.groups.map((_, g) => ([1, 2, 4] as const)[g % 3]!) };
}

const options: TrainingOptions = tinyTraining({ limit: 320, testLimit: TEST_IMAGES, seed: 7 });

interface Trained {
  run: string;
  file: string;
  /** The run's own tfjs test accuracy (wasm backend, inference mode). */
  accuracy: number;
}

let dir: string;
const trained: Record<'binary' | 'mixed', Trained> = {} as Record<'binary' | 'mixed', Trained>;
beforeAll(async () => {
  ensureWasmBuilt();
  await selectBackend('wasm');
  dir = mkdtempSync(join(tmpdir(), 'gn-packed-e2e-'));
  for (const [name, arch] of [
    ['binary', binaryArch()],
    ['mixed', mixedArch()],
  ] as const) {
    const run = join(dir, name);
    const accuracy = trainArch(arch, options, run).final.accuracy;
    exportRunModel(run, join(dir, `${name}.gnb`));
    trained[name] = { run, file: join(dir, `${name}.gnb`), accuracy };
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Comparison {
  argmaxAgree: boolean[];
  /** max |packed − tfjs| / max |tfjs| per image. */
  relative: number[];
  tfjsCorrect: number;
  packedCorrect: number;
}

/** Logits of the run's model in tfjs (inference mode, cpu backend: float32 values, exact sums) and of the packed wasm engine, image by image. */
async function compareOnTestSet(t: Trained): Promise<Comparison> {
  const dataset = loadDataset({ data: 'embedded' });
  const test = firstImages(dataset.test, TEST_IMAGES);
  const images = normalizeImages(test.images, 1, dataset.stats);
  await selectBackend('cpu');
  const { model } = loadRunModel(t.run);
  const expected = tf.tidy(() => model.forward(tf.tensor4d(images, [test.count, 28, 28, 1]), false).dataSync() as Float32Array);
  model.dispose();
  await selectBackend('wasm');
  const got = loadPackedModel(t.file, 'wasm').predict(images, test.count);
  const classes = 10;
  const out: Comparison = { argmaxAgree: [], relative: [], tfjsCorrect: 0, packedCorrect: 0 };
  for (let b = 0; b < test.count; b++) {
    const e = Array.from(expected.subarray(b * classes, (b + 1) * classes));
    const g = Array.from(got.subarray(b * classes, (b + 1) * classes));
    const scale = Math.max(...e.map(Math.abs));
    out.relative.push(Math.max(...e.map((v, c) => Math.abs(v - g[c]!) / scale)));
    const ea = e.indexOf(Math.max(...e));
    const ga = g.indexOf(Math.max(...g));
    out.argmaxAgree.push(ea === ga);
    if (ea === test.labels[b]) out.tfjsCorrect++;
    if (ga === test.labels[b]) out.packedCorrect++;
  }
  return out;
}

describe('exported model through the packed engine', () => {
  it('Group-Net (1-bit): same argmax on every test image, logits within 1e-3 relative but for at most one image, same accuracy as tfjs', async () => {
    // The binary units are exact on both sides; the float layers (stem, shortcut convolutions) sum in
    // another order on the cpu backend than in the packed engine, so a sign input within ~1e-7 of zero
    // can flip, moving that image's logits by a few percent (seen: 0–1 image in 120).
    const t = trained.binary;
    const c = await compareOnTestSet(t);
    expect(c.argmaxAgree.every(Boolean)).toBe(true);
    expect(c.relative.filter((r) => r >= 1e-3).length).toBeLessThanOrEqual(1);
    expect(c.packedCorrect).toBe(c.tfjsCorrect);
    expect(c.tfjsCorrect / TEST_IMAGES).toBe(t.accuracy);

    const report = inferPackedModel(t.file, { engine: 'wasm', limit: TEST_IMAGES, latencyBatches: [], predictions: true });
    expect(report.data.testImages).toBe(TEST_IMAGES);
    // predictions: one class per image, and they account for the accuracy
    expect(report.predictions).toHaveLength(TEST_IMAGES);
    const labels = firstImages(loadDataset({ data: 'embedded' }).test, TEST_IMAGES).labels;
    expect(report.predictions!.filter((p, i) => p === labels[i]).length).toBe(report.correct);
    expect(report.normalization).toBe('model');
    expect(report.accuracy).toBe(t.accuracy);
    expect(report.tfjsTestAccuracy).toBe(t.accuracy);
    expect(report.correct).toBe(c.tfjsCorrect);
  });

  it('times batch 64 on two threads through a pool of the exported model', async () => {
    ensureBuilt(); // the pool's worker runs dist/
    const t = await timeThreadedInference(trained.binary.file, { engine: 'wasm', threads: 2, timing: { warmUpSeconds: 0, seconds: 0.05 } });
    expect(t).toMatchObject({ batch: 64, threads: 2 });
    expect(t.repeats).toBeGreaterThanOrEqual(5);
    expect(t.imagesPerSecond).toBeCloseTo(64 / t.medianSeconds, 6);
  }, 120_000);

  it('1/2/4-bit groups: argmax, accuracy and logits agree but for the rare image where a k-bit level lands on the other side of a rounding edge', async () => {
    // Folding α, BN and β/(2^k−1) into one multiply-add rounds differently from tfjs' op-by-op
    // float32; a value within ~1e-7 of a quantizer edge then moves one level, which can move that
    // image's logits by a few percent and, rarely, its argmax (seen: 0–1 image in 120–200).
    const t = trained.mixed;
    const c = await compareOnTestSet(t);
    const within = c.relative.filter((r) => r < 1e-3).length;
    const disagree = c.argmaxAgree.filter((a) => !a).length;
    console.log(
      `mixed bits: ${disagree} argmax differences, ${TEST_IMAGES - within} images beyond 1e-3 of ${TEST_IMAGES}; correct tfjs ${c.tfjsCorrect} packed ${c.packedCorrect}`,
    );
    expect(disagree).toBeLessThanOrEqual(1);
    expect(Math.abs(c.packedCorrect - c.tfjsCorrect)).toBeLessThanOrEqual(1);
    expect(within / TEST_IMAGES).toBeGreaterThanOrEqual(0.97);
    const sorted = [...c.relative].sort((a, b) => a - b);
    expect(sorted[Math.floor(TEST_IMAGES / 2)]!).toBeLessThan(1e-5);
  });

  it('the js engine agrees, and latency is measured at the asked batch sizes', () => {
    const wasm = inferPackedModel(trained.mixed.file, { engine: 'wasm', limit: 20, latencyBatches: [] });
    const js = inferPackedModel(trained.mixed.file, {
      engine: 'js',
      limit: 20,
      latencyBatches: [1, 2],
      timing: { warmUpSeconds: 0, seconds: 0, minRepeats: 2 },
    });
    expect(js.engine).toBe('js');
    expect(js.correct).toBe(wasm.correct);
    expect(js.tfjsTestAccuracy).toBeUndefined(); // 20 images are not the ones the run was tested on
    expect(js.latency.map((l) => l.batch)).toEqual([1, 2]);
    for (const l of js.latency) expect(l.medianSeconds).toBeGreaterThan(0);
  });

  it('records the normalization, provenance and tfjs accuracy in the file', () => {
    const { file, accuracy } = trained.binary;
    const packed = loadPackedModel(file, 'js');
    const dataset = loadDataset({ data: 'embedded' });
    expect(packed.metadata.normalization).toEqual(dataset.stats);
    expect(packed.metadata.dataset).toMatchObject({ data: 'embedded', checksum: dataset.checksum, testImages: TEST_IMAGES });
    expect(packed.metadata.tfjsTestAccuracy).toBe(accuracy);
    expect(packed.metadata.source?.epochs).toBe(1);
    expect(statSync(file).size).toBeGreaterThan(1000);
  });

  it('refuses a run directory without a checkpoint and images of the wrong shape, writing nothing', () => {
    const out = join(dir, 'none.gnb');
    expect(() => exportRunModel(join(dir, 'nowhere'), out)).toThrow(UsageError);
    expect(() => exportRunModel(join(dir, 'nowhere'), out)).toThrow(/nowhere: no checkpoint\.gnck/);
    expect(() => statSync(out)).toThrow();
    expect(() => inferPackedModel(trained.binary.file, { limit: 0, latencyBatches: [] })).toThrow(/--limit: expected a positive integer/);
  });
});
