/**
 * The distillation teacher of a search: the full-precision twin (`fp` preset) of the search's
 * backbone, trained first with `trainArch` into `<run>/teacher`, or loaded from a training run
 * directory (`--teacher DIR`). A teacher whose input or classes do not match is refused by name.
 */
import type { GroupNetModel } from '../nn/group-net.js';
import type { Arch } from '../space/arch.js';
import type { SearchConfig } from '../space/config.js';
import { buildPreset } from '../space/presets.js';
import { trainingOptionsFromConfig, type TrainingOptions } from '../train/training-options.js';
import { runState } from '../train/run-directory.js';
import { checkTeacherFits } from '../train/distillation.js';
import { loadRunModel, resumeTraining, trainArch } from '../train/training-run.js';
import { UsageError } from '../util/errors.js';
import { searchFile } from './search-directory.js';
import { silentProgress, type ProgressReporter } from '../util/progress.js';

/** Whether the config's loss uses a teacher at all. */
export function needsTeacher(config: SearchConfig): boolean {
  return config.teacher.mode !== 'none' && (config.distillation.kd > 0 || config.distillation.at > 0);
}

/** The teacher's architecture: the full-precision twin (`fp` preset) of the config's backbone. */
export function teacherArch(config: SearchConfig): Arch {
  const b = config.backbone;
  return buildPreset('fp', { backbone: b.name, widthMultiplier: b.widthMultiplier, ...(b.classes !== undefined ? { classes: b.classes } : {}) });
}

/** The teacher's training options, from the config's final-training section and data. */
export function teacherTrainingOptions(config: SearchConfig): TrainingOptions {
  return trainingOptionsFromConfig(config, config.teacher.epochs, 0);
}

/** Load a trained teacher from a training run directory (its last checkpoint). Caller disposes. */
export function loadTeacher(dir: string, student: Arch): GroupNetModel {
  const { record, model } = loadRunModel(dir);
  try {
    checkTeacherFits(record.arch, student, `--teacher ${dir}`);
  } catch (err) {
    model.dispose();
    throw err;
  }
  return model;
}

/**
 * The teacher for a search run in `runDir`: loaded from `explicitDir` (or the config's
 * `teacher.path`), else trained into `<runDir>/teacher` (resumed if a previous attempt was killed).
 */
export function obtainTeacher(
  config: SearchConfig,
  template: Arch,
  runDir: string,
  explicitDir: string | undefined,
  progress: ProgressReporter = silentProgress,
): { model: GroupNetModel; dir: string } {
  const given = explicitDir ?? (config.teacher.mode === 'load' ? config.teacher.path : undefined);
  if (given !== undefined) return { model: loadTeacher(given, template), dir: given };
  if (config.teacher.mode === 'load')
    throw new UsageError('teacher.path: expected the run directory of a trained teacher (teacher.mode is "load"), or pass --teacher DIR');
  const dir = searchFile(runDir, 'teacher');
  const state = runState(dir);
  if (state === 'started') resumeTraining(dir, progress);
  if (state === 'absent') trainArch(teacherArch(config), teacherTrainingOptions(config), dir, progress);
  return { model: loadTeacher(dir, template), dir };
}
