/** Public API of src/train: one training run (options, run directory, checkpoints, staging, distillation) and its export to `.gnb` and ONNX. */
export { DEFAULT_TRAINING, trainingOptionsFromConfig, type TrainingOptions, type DistillationOptions } from './training-options.js';
export {
  RUN_FILES,
  RUN_FORMAT,
  runFile,
  runState,
  readRunRecord,
  readRunResult,
  readRunHistory,
  trainingSeconds,
  checkRunDataset,
  type RunRecord,
  type RunResult,
  type RunState,
  type RunPosition,
  type RunCheckpointMeta,
  type TrainingEpoch,
} from './run-directory.js';
export { trainArch, resumeTraining, evaluateRun, evaluateOn, RECALIBRATION_IMAGES, type TrainingResult } from './training-run.js';
export { loadRunModel, loadTeacher } from './run-model.js';
export { teacherTrainingOptions, obtainTeacher } from './teacher-run.js';
export { saveCheckpoint, loadCheckpoint, readCheckpointFile, tensorsUnder, tensorsPrefixed, type Checkpoint, type CheckpointFile } from './checkpoint.js';
export { validateTrainingRun, TRAIN_RESUME, type ResumeAction, type TrainingRunFile } from './validate-training-run.js';
export { trainingStages, stageAt, checkStaging, continueWithWeights, type TrainingStage } from './staged-training.js';
export { exportRunModel, exportUntrainedModel, packedExportState, untrainedPackedModel, type ExportedModel } from './export-packed.js';
export { exportRunOnnx, onnxModelBytes, type ExportedOnnxModel, type OnnxExportOptions } from './export-onnx.js';
