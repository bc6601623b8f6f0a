import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '../helpers/tfjs.js';
import { selectBackend } from '../../src/backend/select.js';
import { loadDataset } from '../../src/data/locate.js';
import { writeSegmentationScenes } from '../../src/data/scene-files.js';
import { defaultSceneRecipe } from '../../src/data/segmentation-scenes.js';
import { buildPreset, type PresetOptions } from '../../src/space/presets.js';
import type { RunResult } from '../../src/train/run-directory.js';
import { evaluateRun, trainArch } from '../../src/train/training-run.js';
import { tinyTraining } from '../helpers/tiny-training.js';

const tmp = (name: string) => join(mkdtempSync(join(tmpdir(), 'gn-seg-')), name);
let scenes: string;

beforeAll(async () => {
  await selectBackend('wasm');
  scenes = tmp('scenes');
  writeSegmentationScenes(scenes, loadDataset({ data: 'embedded' }), { ...defaultSceneRecipe(1, 48, 16), testCount: 16, maxItems: 2 });
});

const segmentation = (lastDilations: [number, number], fcn: '32s' | '16s' = '32s'): PresetOptions => ({
  widthMultiplier: 0.125,
  segmentation: { fcn, classes: 11, input: { height: 16, width: 16, channels: 1 }, lastDilations },
});
const options = () => tinyTraining({ data: scenes, limit: 48, testLimit: 16, batchSize: 16, augment: true });

describe('segmentation training runs', () => {
  it('train on scenes, record mIoU per epoch and IoU per class, and eval reproduces them without leaking tensors', () => {
    const dir = tmp('run');
    const before = tf.memory().numTensors;
    const r = trainArch(buildPreset('groupnet-k5', { ...segmentation([2, 4], '16s'), bpac: [1, 2, 4, 8, 16] }), options(), dir);
    expect(tf.memory().numTensors).toBe(before);
    const result = JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')) as RunResult;
    expect(result.testIou).toHaveLength(11);
    expect(result.testMiou).toBe(r.final.segmentation!.miou);
    expect(result.epochs[0]!.testMiou).toBe(result.testMiou);
    expect(result.testAccuracy).toBe(r.final.segmentation!.pixelAccuracy);
    const again = evaluateRun(dir);
    expect(again.segmentation!.miou).toBe(result.testMiou);
    expect(again.accuracy).toBe(result.testAccuracy);
  });

  it('distils per pixel from a full-precision segmentation teacher', () => {
    const teacher = tmp('teacher');
    trainArch(buildPreset('fp', segmentation([2, 4])), options(), teacher);
    const student = () => buildPreset('groupnet-k1', segmentation([2, 4]));
    const plain = trainArch(student(), options(), tmp('plain'));
    const distilled = trainArch(student(), { ...options(), distillation: { teacher, kd: 1, at: 10, temperature: 4, labelWeight: 1 } }, tmp('kd'));
    expect(distilled.history[0]!.trainLoss).toBeGreaterThan(plain.history[0]!.trainLoss);
    expect(distilled.final.segmentation!.iou).toHaveLength(11);
  });

  it('refuses a classifier on scenes and a segmentation arch on images, naming the fix', () => {
    expect(() => trainArch(buildPreset('fp', { widthMultiplier: 0.125 }), options(), tmp('a'))).toThrow(/--task segmentation/);
    expect(() => trainArch(buildPreset('fp', segmentation([2, 4])), tinyTraining(), tmp('b'))).toThrow(/make-segmentation/);
  });
});
