import { buildModel, type GroupNetModel, type WeightMode } from '../nn/index.js';
import type { Arch } from '../space/arch.js';
import { UsageError } from '../util/errors.js';

/**
 * Staged training (Real-to-Binary, Martinez et al. 2020): stage 1 trains binary activations with
 * real weights, stage 2 trains the fully binary network initialised from stage 1. Each stage has
 * its own learning-rate schedule over its own epochs and a fresh optimizer, as in the paper: the
 * optimizer's moments describe gradients through W, which α·sign(W) changes.
 */
export interface TrainingStage {
  /** 1-based, in order. */
  stage: number;
  /** What the binary units' convs use as weights in this stage. */
  weights: WeightMode;
  /** First epoch of the stage (0-based) and its number of epochs. */
  firstEpoch: number;
  epochs: number;
}

/**
 * The stages of a run of `epochs` epochs: one fully binary stage, or with `realWeightEpochs` = E1
 * (1 ≤ E1 < epochs) E1 epochs of real weights followed by `epochs − E1` fully binary ones.
 */
export function trainingStages(epochs: number, realWeightEpochs: number | undefined): TrainingStage[] {
  if (realWeightEpochs === undefined) return [{ stage: 1, weights: 'binary', firstEpoch: 0, epochs }];
  return [
    { stage: 1, weights: 'real', firstEpoch: 0, epochs: realWeightEpochs },
    { stage: 2, weights: 'binary', firstEpoch: realWeightEpochs, epochs: epochs - realWeightEpochs },
  ];
}

/** The stage that trains epoch `epoch` (0-based); a finished run (epoch = total) is in its last stage. */
export function stageAt(stages: TrainingStage[], epoch: number): TrainingStage {
  return stages.find((s) => epoch < s.firstEpoch + s.epochs) ?? stages[stages.length - 1]!;
}

/** Refuse a staging that cannot work: E1 out of range, or a network without binary units (nothing to stage). */
export function checkStaging(arch: Arch, epochs: number, realWeightEpochs: number | undefined): void {
  if (realWeightEpochs === undefined) return;
  if (!Number.isInteger(realWeightEpochs) || realWeightEpochs < 1 || realWeightEpochs >= epochs) {
    throw new UsageError(`--staged: expected an integer from 1 to epochs − 1 = ${epochs - 1} (epochs of stage 1), got ${realWeightEpochs}`);
  }
  if (arch.bits.every((b) => b === 32)) {
    throw new UsageError(
      `--staged: the architecture${arch.name ? ` ${arch.name}` : ''} has no binary units (every group has 32-bit activations), so there are no weights ` +
        `to binarize in stage 2`,
    );
  }
}

/**
 * The model of the next stage: the same Arch with `weights`, every parameter and buffer copied by
 * name from `model` (the caller recalibrates BN: the statistics describe the old weights).
 */
export function continueWithWeights(model: GroupNetModel, weights: WeightMode, seed: number): GroupNetModel {
  const next = buildModel(model.arch, { seed, weights });
  try {
    next.loadStateDict(model.stateDict(), `stage switch to ${weights} weights`);
  } catch (err) {
    next.dispose();
    throw err;
  }
  return next;
}
