/**
 * groupnas, the library: `import { … } from 'groupnas'`.
 * Search spaces and architecture files, the tfjs model family, data, training runs with
 * distillation, the DARTS search, the bit-packed kernels, and backend selection.
 */
export * from './space/index.js';
export * from './nn/index.js';
export * from './data/index.js';
export * from './distill/index.js';
export * from './train/index.js';
export * from './search/index.js';
export * from './kernels/index.js';
export * from './reproduce/index.js';
export { selectBackend, installedBackends, BACKEND_CHOICES, type BackendChoice, type BackendRequest, type ConcreteBackend } from './backend/select.js';
export { createRng, type Rng } from './util/random.js';
export { GroupnasError, FileFormatError, UsageError, NotAvailableError } from './util/errors.js';

// Names two rooms both use: the explicit exports pick one, the aliases keep the other reachable.
export type { Relaxation } from './space/index.js';
export type { Relaxation as SearchRelaxation } from './search/index.js';
export { mixBases } from './nn/index.js';
export { mixBases as mixPackedBases } from './kernels/index.js';
