import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src/backend/select.js';
import { rehearse, warmUpTraining } from '../../../src/search/evaluate/warm-up.js';
import { buildPreset } from '../../../src/space/presets.js';
import { tinyTraining } from '../../helpers/tiny-training.js';

const scratchDirs = () => readdirSync(tmpdir()).filter((n) => n.startsWith('groupnas-warm-up-'));

describe('warm-up', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it('cuts the candidates\' schedule to one step per stage on one batch, without the teacher', () => {
    const training = tinyTraining({ epochs: 5, limit: 2000, testLimit: 500, checkpointEverySteps: 25, distillation: { teacher: '/nowhere', kd: 1, at: 0, temperature: 4, labelWeight: 1 } });
    const cut = warmUpTraining(training);
    expect(cut).toEqual({ ...tinyTraining(), epochs: 1, limit: 32, testLimit: 32, checkpointEverySteps: 0 });
    expect(warmUpTraining({ ...training, realWeightEpochs: 3 })).toMatchObject({ epochs: 2, realWeightEpochs: 1 });
    expect(warmUpTraining({ ...training, testLimit: 8 }).testLimit).toBe(8);
  });

  it('rehearses in this thread and leaves no scratch directory behind', () => {
    const before = scratchDirs();
    rehearse({ arch: buildPreset('groupnet-k3', { widthMultiplier: 0.125 }), training: tinyTraining({ realWeightEpochs: 1, epochs: 3 }) });
    expect(scratchDirs()).toEqual(before);
  });
});
