import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { evaluationTrainingOptions } from '../../../src/search/evaluate/training-options.js';
import { loadConfig } from '../../../src/space/config-file.js';
import { PACKAGE_ROOT } from '../../../src/util/version.js';

const tiny = () => loadConfig(join(PACKAGE_ROOT, 'configs', 'tiny.json'));

describe('evaluationTrainingOptions', () => {
  it('takes the final schedule from the config: evaluation epochs, training section, data limits, seed', () => {
    const config = tiny();
    const o = evaluationTrainingOptions(config);
    expect(o).toMatchObject({
      data: config.data.dataset,
      epochs: config.evaluation.epochs,
      batchSize: config.training.batchSize,
      limit: config.data.trainLimit,
      testLimit: config.data.testLimit,
      learningRate: config.training.lr,
      augment: config.data.augment,
      seed: config.seed,
    });
    expect(o.checkpointEverySteps).toBeGreaterThan(0); // so a killed task resumes mid-epoch
    expect(o.distillation).toBeUndefined();
    expect(o.realWeightEpochs).toBeUndefined(); // stagedEpochs 0: one fully binary stage
  });

  it('trains candidates in two stages when the config sets training.stagedEpochs', () => {
    const config = tiny();
    const staged = { ...config, evaluation: { ...config.evaluation, epochs: 3 }, training: { ...config.training, stagedEpochs: 2 } };
    expect(evaluationTrainingOptions(staged)).toMatchObject({ epochs: 3, realWeightEpochs: 2 });
  });

  it('distils from the teacher run when one is given and the config weighs KD or AT', () => {
    const config = tiny();
    expect(evaluationTrainingOptions(config, 'run/teacher').distillation).toEqual({
      teacher: 'run/teacher',
      kd: config.distillation.kd,
      at: config.distillation.at,
      temperature: config.distillation.temperature,
      labelWeight: 1,
    });
    const off = { ...config, distillation: { ...config.distillation, kd: 0, at: 0 } };
    expect(evaluationTrainingOptions(off, 'run/teacher').distillation).toBeUndefined();
  });

  it('"0 = all" limits become no limit, and sgd maps to the Nesterov trainer', () => {
    const config = tiny();
    const o = evaluationTrainingOptions({
      ...config,
      data: { ...config.data, trainLimit: 0, testLimit: 0 },
      training: { ...config.training, optimizer: 'sgd' },
    });
    expect('limit' in o || 'testLimit' in o).toBe(false);
    expect(o.optimizer).toBe('sgd-nesterov');
  });
});
