/**
 * The distillation teacher: the full-precision twin (`fp` preset) of the student's backbone. A
 * teacher fits a student when both see the same images, predict the same classes and downsample
 * alike (stem, then each block's stride), so the stage outputs line up for attention transfer; one
 * that does not is refused by field. What a block computes may differ (a searched `blockOp` puts
 * plain, skip or bottleneck blocks where the teacher has basic ones), as may the widths.
 * (Training or loading a teacher is a training run: train/teacher-run.ts.)
 */
import type { Arch } from '../space/arch.js';
import type { SearchConfig } from '../space/config.js';
import { presetOptionsFromConfig } from '../space/config-space.js';
import { buildPreset } from '../space/presets.js';
import { UsageError } from '../util/errors.js';

/** Whether a search config's loss uses a teacher at all. */
export function needsTeacher(config: SearchConfig): boolean {
  return config.teacher.mode !== 'none' && (config.distillation.kd > 0 || config.distillation.at > 0);
}

/** The teacher's architecture: the full-precision twin (`fp` preset) of the config's backbone. */
export function teacherArch(config: SearchConfig): Arch {
  return buildPreset('fp', presetOptionsFromConfig(config));
}

/** A backbone's shape as distillation sees it: the stem and every block's stride (kinds and widths may differ: both can be searched). */
function backboneShape(a: Arch): string {
  const stem = `stem ${a.stem.kernel}×${a.stem.kernel}/${a.stem.stride}${a.stem.pool ? ` + pool/${a.stem.pool.stride}` : ''}`;
  return [stem, ...a.blocks.map((b) => `stride ${b.stride}`)].join(', ');
}

/** Refuse a teacher that does not fit the student (see the file comment); `where` names the teacher in the message. */
export function checkTeacherFits(teacher: Arch, student: Arch, where: string): void {
  const show = (v: unknown) => JSON.stringify(v);
  if (show(teacher.input) !== show(student.input)) {
    throw new UsageError(`${where}: input: the teacher takes ${show(teacher.input)}, the student ${show(student.input)}`);
  }
  if (teacher.head.fcn !== student.head.fcn) {
    throw new UsageError(
      `${where}: head.fcn: the teacher has ${show(teacher.head.fcn ?? 'a classifier')}, the student ${show(student.head.fcn ?? 'a classifier')}`,
    );
  }
  if (teacher.head.classes !== student.head.classes) {
    throw new UsageError(`${where}: head.classes: the teacher predicts ${teacher.head.classes} classes, the student ${student.head.classes}`);
  }
  if (backboneShape(teacher) !== backboneShape(student)) {
    throw new UsageError(`${where}: blocks: the teacher downsamples as [${backboneShape(teacher)}], the student as [${backboneShape(student)}]`);
  }
}
