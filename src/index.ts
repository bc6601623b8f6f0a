/**
 * groupnas, the library: `import { … } from 'groupnas'`.
 * Search spaces and architecture files, the tfjs model family, data, training runs with
 * distillation, the DARTS search, the bit-packed kernels, backend selection, and the dashboard.
 */
export * from './space/index.js';
export * from './nn/index.js';
export * from './data/index.js';
export * from './distill/index.js';
export * from './train/index.js';
export * from './search/index.js';
export * from './kernels/index.js';
export * from './reproduce/index.js';
export { startDashboard, type Dashboard, type DashboardOptions } from './serve/index.js';
export { selectBackend, installedBackends, BACKEND_CHOICES, type BackendChoice, type BackendRequest, type ConcreteBackend } from './backend/index.js';
export {
  createRng,
  GroupnasError,
  FileFormatError,
  UsageError,
  RunDirectoryError,
  NotAvailableError,
  type Rng,
  type FileCheck,
  type FileState,
  type RunDirectoryReport,
  type RunKind,
} from './util/index.js';

// Base mixing has one name in nn (tensors) and in kernels (the packed engine's float arrays):
// the library exports nn's; the engines' is BinaryEngine.mixBases.
export { mixBases } from './nn/index.js';
