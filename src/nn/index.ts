/** Public API of src/nn: quantizers, layers, blocks, the Group-Net builder and the trainer. */
export { steSign } from './quantizers/ste-sign.js';
export { approxSign } from './quantizers/approx-sign.js';
export { magnitudeAwareSign, channelScale } from './quantizers/magnitude-aware-sign.js';
export { uniformQuant } from './quantizers/uniform-quant.js';
export { signPlusOne } from './quantizers/sign.js';
export { activationQuantizerFor, quantizeActivation, type ActivationQuantizer, type SignEstimator } from './activation.js';
export { ParameterStore, Scope, type Initializer, type Parameter, type ParameterSink, type StateDict } from './parameters.js';
export { BatchNorm, withRunningStatisticsFrozen } from './layers/batch-norm.js';
export { batchNormTraining, type BatchNormTrainingResult } from './layers/batch-norm-training.js';
export { Conv2d, type Conv2dOptions } from './layers/conv2d.js';
export { Dense } from './layers/dense.js';
export { DecomposedConv } from './blocks/decomposed-conv.js';
export { ConvUnit, type ConvUnitOptions } from './blocks/conv-unit.js';
export { binaryUnitInference, binaryUnitTransform } from './blocks/binary-unit-inference.js';
export { Shortcut } from './blocks/shortcut.js';
export { blockOutChannels, type Block, type BlockSpec } from './blocks/block.js';
export { BasicBlock } from './blocks/basic-block.js';
export { BottleneckBlock } from './blocks/bottleneck-block.js';
export { PlainBlock } from './blocks/plain-block.js';
export { SkipBlock } from './blocks/skip-block.js';
export { createBlock } from './blocks/create-block.js';
export { AggregateConnector, SoftConnector, type BaseConnector } from './connections.js';
export { mixBases } from './mix-bases.js';
export { gradientCheckpoint, setTapeBudget, SHARED_TAPE_BUDGET_BYTES } from './gradient-checkpoint.js';
export { checkArchBuildable } from './check-arch.js';
export type { WeightMode } from './weight-mode.js';
export { buildModel, GroupNetModel, stageEndBlocks, type BuildOptions, type GroupModule } from './group-net.js';
export { softmaxCrossEntropy } from './loss.js';
export { ConfusionMatrix, type SegmentationMetrics } from './segmentation-metrics.js';
export { FcnHeadModule, upsampleBilinear } from './fcn-head.js';
export { learningRateAt, checkSchedule, type LrSchedule } from './schedule.js';
export type { Optimizer, OptimizerKind, OptimizedParameter } from './optim/optimizer.js';
export { SgdNesterov } from './optim/sgd-nesterov.js';
export { Adam } from './optim/adam.js';
export {
  createTrainer,
  Trainer,
  type EvaluationResult,
  type LabelledBatch,
  type LossFunction,
  type TrainableModel,
  type TrainerOptions,
  type TrainerState,
} from './trainer.js';
export { collectBatchNorms, recalibrateBatchNorm } from './recalibrate-bn.js';
export { stopGradient } from './stop-gradient.js';
