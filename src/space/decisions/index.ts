export { bases, MAX_BASES, type BasesOptions } from './bases.js';
export { groupBoundary, type GroupBoundaryOptions } from './group-boundary.js';
export { stageWidth, type StageWidthOptions } from './stage-width.js';
export { activationBits, type ActivationBitsOptions } from './activation-bits.js';
export { dilation, type DilationOptions } from './dilation.js';
export { baseDilations, baseDilationsKey, baseDilationsOf, type BaseDilationsOptions } from './base-dilations.js';
export { blockOp, type BlockOpOptions } from './block-op.js';
