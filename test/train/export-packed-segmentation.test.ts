// Segmentation models on the packed engine against tfjs-wasm: dilated multi-rate bases (BPAC),
// the FCN heads' 1×1 classifiers, bilinear up-sampling and the 16s skip. Per-pixel argmax must
// agree everywhere, so mIoU from the packed engine equals tfjs's — on js, wasm and native.
import * as tf from '../helpers/tfjs.js';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backend/select.js';
import { inferPackedModel } from '../../src/bench/packed-infer.js';
import { loadDataset } from '../../src/data/locate.js';
import { writeSegmentationScenes } from '../../src/data/scene-files.js';
import { defaultSceneRecipe } from '../../src/data/segmentation-scenes.js';
import type { EngineName } from '../../src/kernels/engine.js';
import { availableEngines } from '../../src/kernels/engines.js';
import { buildPreset, type PresetOptions } from '../../src/space/presets.js';
import { exportRunModel } from '../../src/train/export-packed.js';
import type { RunResult } from '../../src/train/run-directory.js';
import { trainArch } from '../../src/train/training-run.js';
import { tinyTraining } from '../helpers/tiny-training.js';
import { ensureWasmBuilt } from '../kernels/ensure-wasm.js';
import { packedAgreement } from './helpers/packed-agreement.js';

const SIZE = 16;
const engines: EngineName[] = ['js', ...availableEngines().filter((e) => e !== 'js')];
let previousBackend = '';

beforeAll(async () => {
  ensureWasmBuilt();
  previousBackend = tf.getBackend();
  await selectBackend('wasm');
});
afterAll(async () => {
  if (previousBackend) await tf.setBackend(previousBackend);
});

const segmentation = (fcn: '32s' | '16s', extra: Partial<PresetOptions> = {}): PresetOptions => ({
  widthMultiplier: 0.125,
  segmentation: { fcn, classes: 11, input: { height: SIZE, width: SIZE, channels: 1 }, lastDilations: [2, 4] },
  ...extra,
});

describe(`packed segmentation models vs tfjs-wasm (engines ${engines.join(', ')})`, () => {
  it.each([
    ['groupnet-k5 + BPAC, FCN-16s', buildPreset('groupnet-k5', segmentation('16s', { bpac: [1, 2, 4, 8, 16] }))],
    ['groupnet-k5-a2 + BPAC, FCN-32s', buildPreset('groupnet-k5-a2', segmentation('32s', { bpac: [1, 2, 3, 4, 5] }))],
    ['fp multi-dilation, FCN-16s', buildPreset('fp', segmentation('16s', { bpac: [1, 2, 4, 8, 16] }))],
    ['bottleneck groupnet-k3, FCN-16s', buildPreset('groupnet-k3', segmentation('16s', { backbone: 'bottleneck-r' }))],
  ])('%s: per-pixel argmax identical, logits equal up to the head’s rounding', (_, arch) => {
    for (const [engine, r] of Object.entries(packedAgreement(arch, engines, 6))) {
      expect(r.argmaxDifferences, engine).toBe(0);
      expect(r.maxRelative, engine).toBeLessThan(1e-4);
    }
  });

  it('a trained Group-Net + BPAC FCN-16s run: groupnas infer reports the mIoU tfjs measured, on every engine', () => {
    const root = mkdtempSync(join(tmpdir(), 'gn-seg-export-'));
    const scenes = join(root, 'scenes');
    writeSegmentationScenes(scenes, loadDataset({ data: 'embedded' }), { ...defaultSceneRecipe(2, 64, SIZE), testCount: 24, maxItems: 2 });
    const run = join(root, 'run');
    trainArch(
      buildPreset('groupnet-k5', segmentation('16s', { bpac: [1, 2, 4, 8, 16] })),
      tinyTraining({ data: scenes, limit: 64, testLimit: 24, batchSize: 16, epochs: 2 }),
      run,
    );
    const result = JSON.parse(readFileSync(join(run, 'result.json'), 'utf8')) as RunResult;
    const exported = exportRunModel(run, join(root, 'model.gnb'));
    expect(exported.metadata.tfjsTestMiou).toBe(result.testMiou);
    for (const engine of engines) {
      const report = inferPackedModel(exported.path, { engine, latencyBatches: [] });
      expect(report.segmentation!.miou, engine).toBe(result.testMiou);
      expect(report.tfjsTestMiou, engine).toBe(result.testMiou);
      expect(report.accuracy, engine).toBe(result.testAccuracy);
    }
  });
});
