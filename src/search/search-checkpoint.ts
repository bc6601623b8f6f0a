/**
 * The supernet phase's checkpoint (checkpoint.gnck of a search directory): the supernet's weights,
 * α, both optimizers' state and the position reached, written after every epoch so that a resumed
 * search continues exactly where the last finished epoch left it.
 */
import * as tf from '../util/tfjs.js';
import { loadCheckpoint, saveCheckpoint, tensorsPrefixed, tensorsUnder } from '../train/checkpoint.js';
import type { ArchitectureWeights } from './architecture-weights.js';
import type { BilevelTrainer } from './bilevel.js';
import { searchFile } from './search-directory.js';
import type { Supernet } from './supernet.js';

/** What the checkpoint holds, in the search directory `dir`. */
export interface SupernetState {
  dir: string;
  supernet: Supernet;
  alpha: ArchitectureWeights;
  trainer: BilevelTrainer;
}

interface CheckpointMeta {
  position: { epoch: number; weightSteps: number; archSteps: number };
  weightOptimizer: 'adam' | 'sgd-nesterov';
}

/** Save the state, to resume at epoch `nextEpoch` (0-based). */
export function writeSupernetCheckpoint(s: SupernetState, nextEpoch: number): void {
  const w = s.trainer.weights.state();
  const tensors = {
    ...tensorsPrefixed('supernet', s.supernet.stateDict()),
    ...tensorsPrefixed('alpha', s.alpha.stateDict()),
    ...tensorsPrefixed('weightOptimizer', w.slots),
    ...tensorsPrefixed('archOptimizer', s.trainer.archOptimizerState()),
  };
  const meta: CheckpointMeta = {
    position: { epoch: nextEpoch, weightSteps: w.step, archSteps: s.trainer.architectureStepCount },
    weightOptimizer: w.optimizer,
  };
  saveCheckpoint(searchFile(s.dir, 'checkpoint'), meta, tensors);
}

/** Load the saved state into `s`; returns the epoch to resume at. */
export function readSupernetCheckpoint(s: SupernetState): { epoch: number } {
  const file = searchFile(s.dir, 'checkpoint');
  const { meta, tensors } = loadCheckpoint<CheckpointMeta>(file);
  try {
    s.supernet.loadStateDict(tensorsUnder(tensors, 'supernet'), file);
    s.alpha.loadStateDict(tensorsUnder(tensors, 'alpha'));
    s.trainer.weights.loadState({ step: meta.position.weightSteps, optimizer: meta.weightOptimizer, slots: tensorsUnder(tensors, 'weightOptimizer') }, file);
    s.trainer.loadArchOptimizerState(tensorsUnder(tensors, 'archOptimizer'), meta.position.archSteps, file);
  } finally {
    tf.dispose(Object.values(tensors));
  }
  return { epoch: meta.position.epoch };
}
