/**
 * The trained model a run directory holds (its last checkpoint), for export to the packed engine
 * and for distillation: a teacher is the model of a full-precision run.
 */
import * as tf from '../util/tfjs.js';
import { checkTeacherFits } from '../distill/index.js';
import { buildModel, type GroupNetModel } from '../nn/index.js';
import type { Arch } from '../space/arch.js';
import { UsageError } from '../util/errors.js';
import { loadCheckpoint, tensorsUnder } from './checkpoint.js';
import { readRunRecord, runFile, type RunCheckpointMeta, type RunRecord } from './run-directory.js';
import { stageAt, trainingStages } from './staged-training.js';

/**
 * The trained model of a run dir (last checkpoint). Caller disposes. A staged run still in its
 * real-weight stage has no binary model yet and is refused.
 */
export function loadRunModel(dir: string): { record: RunRecord; model: GroupNetModel } {
  const record = readRunRecord(dir);
  const file = runFile(dir, 'checkpoint');
  const { meta, tensors } = loadCheckpoint<RunCheckpointMeta>(file);
  const o = record.options;
  const stage = stageAt(trainingStages(o.epochs, o.realWeightEpochs), meta.position.epoch);
  if (stage.weights !== 'binary') {
    tf.dispose(Object.values(tensors));
    throw new UsageError(
      `${dir}: the run stopped in stage ${stage.stage} of staged training (real weights, ${meta.position.epoch} of its ${stage.epochs} epochs done): ` +
        `its checkpoint is not the binary model yet; finish it with groupnas train --resume ${dir}`,
    );
  }
  const model = buildModel(record.arch, { seed: o.seed });
  try {
    model.loadStateDict(tensorsUnder(tensors, 'model'), file);
  } finally {
    tf.dispose(Object.values(tensors));
  }
  return { record, model };
}

/** A trained teacher from its run directory, refused by field when it does not fit `student`. Caller disposes. */
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
