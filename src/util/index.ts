/**
 * Public API of src/util: seeded random numbers, atomic writes, typed errors, JSON files, progress,
 * machine description, the package root. tfjs is not here: modules that compute with it import
 * `util/tfjs.ts` itself, so the rooms that must not load tfjs (space, kernels) never do.
 */
export { writeFileAtomic, writeJsonAtomic } from './atomic-write.js';
export { GroupnasError, FileFormatError, UsageError, RunDirectoryError, NotAvailableError } from './errors.js';
export { readJsonFile, readStampedJsonFile } from './json-file.js';
export {
  readerRefusal,
  isSound,
  checkFile,
  runDirectoryReport,
  formatRunDirectoryReport,
  type FileCheck,
  type FileState,
  type RunDirectoryReport,
  type RunKind,
} from './file-check.js';
export { describeMachine, machineFingerprint, type MachineDescription } from './machine.js';
export { median, medianMs } from './median-time.js';
export { PEER_PYTHON, peerTorchVersion, runPeerScript } from './peer.js';
export { silentProgress, type ProgressReporter, type ProgressTask } from './progress.js';
export { createRng, deriveSeed, randomInt, randomNormal, shuffle, type Rng } from './random.js';
export { PACKAGE_ROOT, VERSION } from './version.js';
