/**
 * One training run (DESIGN §1): an Arch trained from scratch into a run directory
 * (run-directory.ts) — optionally distilling from a teacher run, optionally staged (real weights
 * first) — tested after every epoch with BatchNorm statistics re-estimated, checkpointed so that a
 * killed run resumes, with a result equal to an uninterrupted run's on the same backend.
 */
import { existsSync } from 'node:fs';
import * as tf from '../util/tfjs.js';
import {
  batchesPerEpoch,
  defaultAugmentation,
  firstImages,
  IGNORE_LABEL,
  loadDataset,
  splitDataset,
  tensorBatches,
  type Dataset,
  type ImageSet,
} from '../data/index.js';
import {
  buildModel,
  createTrainer,
  recalibrateBatchNorm,
  type EvaluationResult,
  type GroupNetModel,
  type LrSchedule,
  type Trainer,
  type WeightMode,
} from '../nn/index.js';
import type { Arch } from '../space/arch.js';
import { UsageError } from '../util/errors.js';
import { silentProgress, type ProgressReporter } from '../util/progress.js';
import { withActivity } from '../util/run-activity.js';
import { withRunLock } from '../util/run-lock.js';
import { VERSION } from '../util/version.js';
import { loadCheckpoint, saveCheckpoint, tensorsPrefixed, tensorsUnder } from './checkpoint.js';
import { DistilledStudent } from '../distill/index.js';
import { loadTeacher } from './run-model.js';
import {
  checkRunDataset,
  readRunRecord,
  runFile,
  RUN_FORMAT,
  writeRunHistory,
  writeRunRecord,
  writeRunResult,
  type RunCheckpointMeta,
  type RunPosition,
  type RunRecord,
  type TrainingEpoch,
} from './run-directory.js';
import { checkStaging, continueWithWeights, stageAt, trainingStages, type TrainingStage } from './staged-training.js';
import type { TrainingOptions } from './training-options.js';

export interface TrainingResult {
  dir: string;
  history: TrainingEpoch[];
  final: EvaluationResult;
  /** Seconds spent in this process (a resumed run counts only its own part). */
  seconds: number;
}

/** The learning-rate schedule of one stage, spanning that stage's epochs (the whole run when unstaged). */
function scheduleFor(o: TrainingOptions, stepsPerEpoch: number, epochs: number): LrSchedule {
  const total = epochs * stepsPerEpoch;
  if (o.schedule === 'cosine') return { kind: 'cosine', totalSteps: total };
  if (o.schedule === 'step') return { kind: 'step', milestones: [Math.round(total * 0.5), Math.round(total * 0.75)], gamma: 0.1 };
  return { kind: 'constant' };
}

function checkOptions(o: TrainingOptions): void {
  const positive = (name: keyof TrainingOptions, v: number | undefined) => {
    if (v !== undefined && (!Number.isInteger(v) || v < 1)) throw new UsageError(`--${name}: expected a positive integer, got ${v}`);
  };
  positive('epochs', o.epochs);
  positive('batchSize', o.batchSize);
  positive('limit', o.limit);
  positive('testLimit', o.testLimit);
}

/** Yield each batch, disposing it once the consumer asks for the next (evaluation never holds more than one). */
function* disposing<T extends { x: tf.Tensor; y: tf.Tensor }>(batches: Iterable<T>): Generator<T> {
  for (const b of batches) {
    try {
      yield b;
    } finally {
      tf.dispose([b.x, b.y]);
    }
  }
}

interface Session {
  record: RunRecord;
  dataset: Dataset;
  train: ImageSet;
  test: ImageSet;
  stages: TrainingStage[];
  /** The stage `model` and `trainer` belong to. */
  stage: TrainingStage;
  model: GroupNetModel;
  teacher?: GroupNetModel;
  trainer: Trainer;
  stepsPerEpoch: number;
}

/** A fresh optimizer and the stage's schedule for `model` (distilling from `teacher` when the run does). */
function trainerFor(o: TrainingOptions, model: GroupNetModel, teacher: GroupNetModel | undefined, stepsPerEpoch: number, stage: TrainingStage): Trainer {
  const ignoreLabel = isSegmentation(model.arch) ? IGNORE_LABEL : undefined;
  const common = {
    optimizer: o.optimizer,
    learningRate: o.learningRate,
    schedule: scheduleFor(o, stepsPerEpoch, stage.epochs),
    weightDecay: o.weightDecay,
    labelSmoothing: o.labelSmoothing,
    ...(ignoreLabel !== undefined ? { ignoreLabel } : {}),
  };
  if (o.distillation === undefined || teacher === undefined) return createTrainer(model, common);
  const student = new DistilledStudent(model, { ...o.distillation, teacher });
  return createTrainer(student, { ...common, loss: student.loss(o.labelSmoothing, ignoreLabel) });
}

/** Whether an arch labels pixels (an FCN head) rather than images. */
function isSegmentation(arch: Arch): boolean {
  return arch.head.fcn !== undefined;
}

/** A segmentation arch needs masks of its input size; a classifier must not get them. */
function checkTask(arch: Arch, dataset: Dataset): void {
  const masks = dataset.train.masks !== undefined;
  if (isSegmentation(arch) && !masks) {
    throw new UsageError(`data set ${dataset.name} (${dataset.path}) has no segmentation masks; make scenes with \`groupnas data make-segmentation\``);
  }
  if (!isSegmentation(arch) && masks)
    throw new UsageError(`data set ${dataset.name} holds segmentation masks: train a segmentation arch (--task segmentation)`);
  if (masks && (arch.input.height !== dataset.shape[0] || arch.input.width !== dataset.shape[1] || arch.input.channels !== dataset.shape[2])) {
    throw new UsageError(
      `arch input ${arch.input.height}×${arch.input.width}×${arch.input.channels} does not match the scenes of ${dataset.path} (${dataset.shape.join('×')})`,
    );
  }
  if (masks && arch.head.classes !== dataset.classes.length) {
    throw new UsageError(`arch head.classes ${arch.head.classes} does not match the ${dataset.classes.length} classes of ${dataset.path}`);
  }
}

/** Everything needed to train from `epoch` on: data splits, the teacher, and the model and trainer of that epoch's stage. */
function openSession(record: RunRecord, dataset: Dataset, epoch: number): Session {
  const o = record.options;
  checkTask(record.arch, dataset);
  const splits = splitDataset(dataset, { seed: o.seed, archValFraction: 0, limit: o.limit, testLimit: o.testLimit });
  const stepsPerEpoch = batchesPerEpoch(splits.train.count, { batchSize: o.batchSize });
  const stages = trainingStages(o.epochs, o.realWeightEpochs);
  const stage = stageAt(stages, epoch);
  const model = buildModel(record.arch, { seed: o.seed, weights: stage.weights });
  let teacher: GroupNetModel | undefined;
  try {
    const d = record.options.distillation;
    teacher = d !== undefined ? loadTeacher(d.teacher, record.arch) : undefined;
  } catch (err) {
    model.dispose();
    throw err;
  }
  const trainer = trainerFor(o, model, teacher, stepsPerEpoch, stage);
  return { record, dataset, train: splits.train, test: splits.test, stages, stage, model, ...(teacher ? { teacher } : {}), trainer, stepsPerEpoch };
}

/**
 * Stage boundary: the next stage's model starts from every variable of this one (by name), its BN
 * statistics are re-estimated for its own weights, and it gets a fresh optimizer and schedule.
 */
function enterStage(s: Session, next: TrainingStage): void {
  const model = continueWithWeights(s.model, next.weights, s.record.options.seed);
  s.trainer.dispose();
  s.model.dispose();
  s.model = model;
  s.stage = next;
  s.trainer = trainerFor(s.record.options, model, s.teacher, s.stepsPerEpoch, next);
  recalibrate(s);
}

/** Training images (un-augmented, fixed order) that BatchNorm statistics are re-estimated on before every evaluation. */
export const RECALIBRATION_IMAGES = 2000;

/** Re-estimate BN statistics for the current weights (see recalibrateBatchNorm for why binary nets need it). */
function recalibrate(s: Session): void {
  const set = firstImages(s.train, Math.min(RECALIBRATION_IMAGES, s.train.count));
  recalibrateBatchNorm(s.model, disposing(tensorBatches(set, { batchSize: s.record.options.batchSize, seed: 0, shuffle: false, stats: s.dataset.stats }, 0)));
}

/** Test accuracy and loss of a model in inference mode. */
export function evaluateOn(trainer: Trainer, set: ImageSet, dataset: Dataset): EvaluationResult {
  return trainer.evaluate(disposing(tensorBatches(set, { batchSize: 256, seed: 0, shuffle: false, stats: dataset.stats }, 0)));
}

function writeCheckpoint(dir: string, s: Session, position: RunPosition): void {
  const state = s.trainer.state();
  const tensors = { ...tensorsPrefixed('model', s.model.stateDict()), ...tensorsPrefixed('optimizer', state.slots) };
  saveCheckpoint(runFile(dir, 'checkpoint'), { position, step: state.step, optimizer: state.optimizer }, tensors);
}

const START: Readonly<RunPosition> = { epoch: 0, batch: 0, lossSum: 0, lossCount: 0, epochSeconds: 0, history: [] };

/**
 * A session restored from the run's last checkpoint: the checkpoint's epoch decides the stage, so
 * the model (real or binary weights) and the optimizer are those the checkpoint was written with.
 * Without a checkpoint: the start of the run, or an error when `required`.
 */
function openAtCheckpoint(dir: string, record: RunRecord, dataset: Dataset, required: boolean): { session: Session; position: RunPosition } {
  const file = runFile(dir, 'checkpoint');
  if (!existsSync(file)) {
    if (required) throw new UsageError(`${dir}: no checkpoint yet (the run has not finished a step)`);
    return { session: openSession(record, dataset, 0), position: structuredClone(START) };
  }
  const { meta, tensors } = loadCheckpoint<RunCheckpointMeta>(file);
  try {
    const session = openSession(record, dataset, meta.position.epoch);
    try {
      session.model.loadStateDict(tensorsUnder(tensors, 'model'), file);
      session.trainer.loadState({ step: meta.step, optimizer: meta.optimizer, slots: tensorsUnder(tensors, 'optimizer') }, file);
    } catch (err) {
      closeSession(session);
      throw err;
    }
    return { session, position: meta.position };
  } finally {
    tf.dispose(Object.values(tensors));
  }
}

function runEpochs(dir: string, s: Session, position: RunPosition, progress: ProgressReporter): TrainingResult {
  const o = s.record.options;
  const started = performance.now();
  const augment = o.augment ? defaultAugmentation(s.dataset.shape, isSegmentation(s.record.arch)) : undefined;
  const total = o.epochs * s.stepsPerEpoch;
  const bar = progress.start('train', total);
  const fields = () => {
    const last = position.history[position.history.length - 1];
    return {
      epoch: `${Math.min(position.epoch + 1, o.epochs)}/${o.epochs}`,
      loss: position.lossCount > 0 ? position.lossSum / position.lossCount : (last?.trainLoss ?? NaN),
      ...(last ? { 'test acc': `${(last.testAccuracy * 100).toFixed(2)}%` } : {}),
      ...(last?.testMiou !== undefined ? { 'test mIoU': `${(last.testMiou * 100).toFixed(2)}%` } : {}),
    };
  };
  bar.update(position.epoch * s.stepsPerEpoch + position.batch, fields());
  // The last epoch's test result is the final one (same weights); only a run resumed after its
  // last epoch needs a fresh evaluation.
  let lastTest: EvaluationResult | undefined;
  while (position.epoch < o.epochs) {
    let lapStart = performance.now();
    const batches = tensorBatches(s.train, { batchSize: o.batchSize, seed: o.seed, augment, stats: s.dataset.stats }, position.epoch, position.batch);
    for (const b of batches) {
      const lr = s.trainer.currentLearningRate();
      try {
        position.lossSum += s.trainer.step(b.x, b.y) * b.size;
        position.lossCount += b.size;
      } finally {
        tf.dispose([b.x, b.y]);
      }
      position.batch++;
      bar.update(position.epoch * s.stepsPerEpoch + position.batch, { ...fields(), lr: lr.toExponential(2) });
      if (o.checkpointEverySteps > 0 && position.batch % o.checkpointEverySteps === 0 && position.batch < s.stepsPerEpoch) {
        position.epochSeconds += (performance.now() - lapStart) / 1000;
        lapStart = performance.now();
        writeCheckpoint(dir, s, position);
      }
    }
    recalibrate(s);
    const test = evaluateOn(s.trainer, s.test, s.dataset);
    lastTest = test;
    position.epochSeconds += (performance.now() - lapStart) / 1000;
    position.history.push({
      epoch: position.epoch + 1,
      trainLoss: position.lossSum / Math.max(1, position.lossCount),
      testAccuracy: test.accuracy,
      testLoss: test.loss,
      learningRate: s.trainer.currentLearningRate(),
      seconds: position.epochSeconds,
      ...(s.stages.length > 1 ? { weights: s.stage.weights } : {}),
      ...(test.segmentation ? { testMiou: test.segmentation.miou } : {}),
    });
    Object.assign(position, { epoch: position.epoch + 1, batch: 0, lossSum: 0, lossCount: 0, epochSeconds: 0 });
    // Switch before the checkpoint, so a checkpoint always holds the model and optimizer of the stage of its epoch.
    const next = stageAt(s.stages, position.epoch);
    if (next.stage !== s.stage.stage && position.epoch < o.epochs) enterStage(s, next);
    writeCheckpoint(dir, s, position);
    writeRunHistory(dir, position.history);
    bar.update(position.epoch * s.stepsPerEpoch, fields());
  }
  bar.stop();
  const final = lastTest ?? evaluateOn(s.trainer, s.test, s.dataset);
  const seg = final.segmentation;
  writeRunResult(dir, {
    testAccuracy: final.accuracy,
    testLoss: final.loss,
    testImages: final.count,
    epochs: position.history,
    ...(seg ? { testMiou: seg.miou, testIou: seg.iou } : {}),
  });
  return { dir, history: position.history, final, seconds: (performance.now() - started) / 1000 };
}

function closeSession(s: Session): void {
  s.trainer.dispose();
  s.model.dispose();
  s.teacher?.dispose();
}

/**
 * Train `arch` from scratch into run directory `dir`: `run.json` first, then a checkpoint at every
 * epoch end (and every `checkpointEverySteps` steps), `history.json` per epoch, `result.json` at
 * the end. Every file is written atomically, so a kill at any moment leaves a resumable run; the
 * directory's lock (util/run-lock.ts) keeps a second process out meanwhile.
 * `dataset`: the data set `options.data` names, when the caller has it loaded already.
 */
export function trainArch(arch: Arch, options: TrainingOptions, dir: string, progress: ProgressReporter = silentProgress, dataset?: Dataset): TrainingResult {
  checkOptions(options);
  checkStaging(arch, options.epochs, options.realWeightEpochs);
  return withRunLock(dir, () => trainNewRun(arch, options, dir, progress, dataset));
}

function trainNewRun(arch: Arch, options: TrainingOptions, dir: string, progress: ProgressReporter, dataset: Dataset | undefined): TrainingResult {
  if (existsSync(runFile(dir, 'record'))) {
    throw new UsageError(`--out ${dir}: already holds a run; continue it with --resume ${dir}, or choose another directory`);
  }
  dataset ??= loadDataset({ data: options.data });
  const record: RunRecord = {
    format: RUN_FORMAT,
    version: 1,
    kind: 'train',
    toolVersion: VERSION,
    createdAt: new Date().toISOString(),
    arch,
    options,
    dataset: { name: dataset.name, checksum: dataset.checksum, train: dataset.train.count, test: dataset.test.count },
    stages: trainingStages(options.epochs, options.realWeightEpochs),
  };
  const session = openSession(record, dataset, 0);
  try {
    writeRunRecord(dir, record);
    return withActivity(dir, () => runEpochs(dir, session, structuredClone(START), progress));
  } finally {
    closeSession(session);
  }
}

function loadRunDataset(dir: string, record: RunRecord, loaded?: Dataset): Dataset {
  const dataset = loaded ?? loadDataset({ data: record.options.data });
  checkRunDataset(dir, record, dataset);
  return dataset;
}

/**
 * Continue a run where its last checkpoint left it; the result equals an uninterrupted run's (same backend).
 * `dataset`: the run's data set when the caller has it loaded already (its checksum is still checked).
 */
export function resumeTraining(dir: string, progress: ProgressReporter = silentProgress, dataset?: Dataset): TrainingResult {
  const record = readRunRecord(dir);
  return withRunLock(dir, () => {
    const { session, position } = openAtCheckpoint(dir, record, loadRunDataset(dir, record, dataset), false);
    try {
      return withActivity(dir, () => runEpochs(dir, session, position, progress));
    } finally {
      closeSession(session);
    }
  });
}

/**
 * Test accuracy of a finished (or interrupted) run's last checkpoint, with the weights it trains
 * in: a finished staged run is evaluated fully binary, one stopped in stage 1 with real weights.
 */
export function evaluateRun(dir: string): EvaluationResult & { epoch: number; weights: WeightMode; classes: readonly string[] } {
  const record = readRunRecord(dir);
  const { session, position } = openAtCheckpoint(dir, record, loadRunDataset(dir, record), true);
  try {
    const result = evaluateOn(session.trainer, session.test, session.dataset);
    return { ...result, epoch: position.epoch, weights: session.stage.weights, classes: session.dataset.classes };
  } finally {
    closeSession(session);
  }
}
