/**
 * A search config's final training schedule for its candidates, so each is trained as the
 * architecture would be if chosen (DESIGN §1): the config's training section, `evaluation.epochs`
 * epochs, the config's data limits, and distillation from the search's teacher run when the
 * config distils.
 */
import type { SearchConfig } from '../../space/config.js';
import { trainingOptionsFromConfig, type TrainingOptions } from '../../train/training-options.js';

/** Steps between mid-epoch checkpoints: a killed or timed-out task loses at most this many on retry. */
export const EVALUATION_CHECKPOINT_STEPS = 25;

/** `teacherDir`: the teacher's training run (the search's `teacher/`); without it, no distillation. */
export function evaluationTrainingOptions(config: SearchConfig, teacherDir?: string): TrainingOptions {
  const d = config.distillation;
  const distils = teacherDir !== undefined && (d.kd > 0 || d.at > 0);
  return {
    ...trainingOptionsFromConfig(config, config.evaluation.epochs, EVALUATION_CHECKPOINT_STEPS),
    ...(config.training.stagedEpochs > 0 ? { realWeightEpochs: config.training.stagedEpochs } : {}),
    ...(distils ? { distillation: { teacher: teacherDir, kd: d.kd, at: d.at, temperature: d.temperature, labelWeight: 1 } } : {}),
  };
}
