/** Candidate evaluation: the worker pool, its results file, latency measurement (evaluate-candidates.ts). */
export {
  evaluateCandidates,
  timeEvaluation,
  timeEvaluations,
  EvaluationInterrupted,
  type EvaluateCandidatesOptions,
  type EvaluationOutcome,
} from './evaluate-candidates.js';
export { AttemptFailed, type CandidateRunner, type RunAttemptOptions } from './candidate-runner.js';
export { EvaluationPool, startEvaluationPool, type EvaluationPoolOptions, type WorkerReport } from './evaluation-pool.js';
export { coveringArchs, searchWarmUp, warmUpTraining, type WarmUp } from './warm-up.js';
export { trainCandidate, type CandidateTask, type TrainedCandidate } from './candidate-task.js';
export {
  candidateRunDir,
  MODEL_FILE,
  EVALUATION_FILE,
  EVALUATION_FORMAT,
  EVALUATION_VERSION,
  readEvaluation,
  readEvaluationToResume,
  EVERY_CANDIDATE_AGAIN,
  candidateAgain,
  type EvaluationToResume,
  type AttemptFailure,
  type CandidateRecord,
  type CandidateResult,
  type CandidateStatus,
  type EvaluationRecord,
  type MeasuredLatency,
  type ReferenceModel,
} from './evaluation-file.js';
export { measureModelLatency, measureLatencies, type LatencyOptions } from './measure-latency.js';
export { evaluatedArch, candidatePoint, searchParetoPoints } from './candidate-metrics.js';
export { evaluationWorkerFile } from './worker-file.js';
export { WorkerSlots } from './worker-slots.js';
export type { WorkerTask } from './evaluate-worker.js';
export { relayProgress, type ProgressMessage } from './progress-port.js';
export { firstLine } from './first-line.js';
export { canonicalJson } from './canonical-json.js';
export type { InjectedFault } from './fault-injection.js';
export { evaluationTrainingOptions, EVALUATION_CHECKPOINT_STEPS } from './training-options.js';
export { taskArchProblems, datasetIdentity, type DatasetIdentity, type Arch } from './task-inputs.js';
