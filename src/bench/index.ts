/**
 * Public API of src/bench: the benchmarks behind `groupnas bench …` (each measures side by side in
 * one run and returns a report; the format functions print it) and `groupnas infer`.
 */
export { benchTrainStep, TRAIN_STEP_MODELS, type TrainStepBenchOptions, type TrainStepBenchResult, type TrainStepModel } from './train-step.js';
export { benchKernels, formatKernelsReport, KERNELS_BENCH_PARTS, type KernelsBenchOptions, type KernelsBenchPart, type KernelsBenchReport } from './kernels.js';
export { benchSupernetSteps, formatSupernetSteps, type SupernetStepReport } from './supernet-step.js';
export { benchEvaluatePool, formatEvaluatePoolReport, type EvaluatePoolBenchResult } from './evaluate-pool.js';
export { runNativeBench, formatNativeBench, type NativeBenchOptions, type NativeBenchReport } from './native-engine.js';
export { benchBackendKernels, formatBackendKernels, type BackendKernelsOptions, type BackendKernelsReport } from './backend-kernels.js';
export { defaultBenchLayers, type BenchLayer } from './kernel-layers.js';
export { inferPackedModel, type InferOptions, type InferReport } from './packed-infer.js';
export { benchLatencyPredictor, formatLatencyPredictor, type LatencyPredictorOptions, type LatencyPredictorReport } from './latency-predictor.js';
export { benchSupernetRanking, formatSupernetRanking, type SupernetRankingOptions, type SupernetRankingReport } from './supernet-ranking.js';
export { kendallTau, spearmanRho } from './rank-correlation.js';
