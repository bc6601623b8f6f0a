import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src/backend/select.js';
import { coveringArchs, rehearse, WARM_UP_STEPS, warmUpTraining } from '../../../src/search/evaluate/warm-up.js';
import { loadConfig } from '../../../src/space/config-file.js';
import { spaceFromConfig } from '../../../src/space/config-space.js';
import { buildPreset } from '../../../src/space/presets.js';
import { PACKAGE_ROOT } from '../../../src/util/version.js';
import { tinyTraining } from '../../helpers/tiny-training.js';

const scratchDirs = () => readdirSync(tmpdir()).filter((n) => n.startsWith('groupnas-warm-up-'));

describe('warm-up', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it("cuts the candidates' schedule to a few steps per stage, tested on one batch, without the teacher", () => {
    const training = tinyTraining({
      epochs: 5,
      limit: 2000,
      testLimit: 500,
      checkpointEverySteps: 25,
      distillation: { teacher: '/nowhere', kd: 1, at: 0, temperature: 4, labelWeight: 1 },
    });
    const cut = warmUpTraining(training);
    expect(cut).toEqual({ ...tinyTraining(), epochs: 1, limit: 32 * WARM_UP_STEPS, testLimit: 32, checkpointEverySteps: 0 });
    expect(warmUpTraining({ ...training, realWeightEpochs: 3 })).toMatchObject({ epochs: 2, realWeightEpochs: 1 });
    expect(warmUpTraining({ ...training, testLimit: 8 }).testLimit).toBe(8);
  });

  it('covers every choice of every decision of a space with a few architectures', () => {
    const space = spaceFromConfig(loadConfig(join(PACKAGE_ROOT, 'configs', 'default.json')));
    const archs = coveringArchs(space);
    expect(archs).toHaveLength(Math.max(...space.variables.map((v) => v.choices.length)));
    for (const [i, v] of space.variables.entries()) {
      const chosen = new Set(archs.map((a) => space.encode(a)[i]));
      // a site that no architecture reaches (a group boundary inside a single group) is not there to rehearse
      if (archs.every((a) => !space.activeVariables(space.encode(a))[i])) continue;
      expect(chosen.size, v.id).toBe(v.choices.length);
    }
  });

  it('rehearses each architecture in this thread and leaves no scratch directory behind', () => {
    const before = scratchDirs();
    const archs = ['groupnet-k1', 'groupnet-k3'].map((p) => buildPreset(p, { widthMultiplier: 0.125 }));
    rehearse({ archs, training: tinyTraining({ realWeightEpochs: 1, epochs: 3 }) });
    expect(scratchDirs()).toEqual(before);
  });
});
