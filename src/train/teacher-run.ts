/**
 * A search's distillation teacher as a training run: the full-precision twin of the search's
 * backbone (distill/teacher.ts) trained on the config's final schedule, or loaded from a training
 * run directory given by the user. An interrupted teacher run resumes from its checkpoint.
 */
import { teacherArch } from '../distill/index.js';
import type { GroupNetModel } from '../nn/index.js';
import type { Arch } from '../space/arch.js';
import type { SearchConfig } from '../space/config.js';
import { UsageError } from '../util/errors.js';
import { silentProgress, type ProgressReporter } from '../util/progress.js';
import { runState } from './run-directory.js';
import { loadTeacher } from './run-model.js';
import { trainingOptionsFromConfig, type TrainingOptions } from './training-options.js';
import { resumeTraining, trainArch } from './training-run.js';

/** The teacher's training options, from the config's final-training section and data. */
export function teacherTrainingOptions(config: SearchConfig): TrainingOptions {
  return trainingOptionsFromConfig(config, config.teacher.epochs, 0);
}

/**
 * The teacher for `student`: loaded from `given` (or the config's `teacher.path`), else trained
 * into `trainInto` (resumed if a previous attempt was killed, kept if it finished). Caller disposes the model.
 */
export function obtainTeacher(
  config: SearchConfig,
  student: Arch,
  trainInto: string,
  given: string | undefined,
  progress: ProgressReporter = silentProgress,
): { model: GroupNetModel; dir: string } {
  const load = given ?? (config.teacher.mode === 'load' ? config.teacher.path : undefined);
  if (load !== undefined) return { model: loadTeacher(load, student), dir: load };
  if (config.teacher.mode === 'load')
    throw new UsageError(
      'teacher.path: expected the run directory of a trained teacher (teacher.mode is "load"), or a teacher run directory given with the search',
    );
  const state = runState(trainInto);
  if (state === 'started') resumeTraining(trainInto, progress);
  if (state === 'absent') trainArch(teacherArch(config), teacherTrainingOptions(config), trainInto, progress);
  return { model: loadTeacher(trainInto, student), dir: trainInto };
}
