/** Public API of src/backend: choosing the tfjs backend, and groupnas' training kernels for wasm. */
export {
  selectBackend,
  activeBackend,
  installedBackends,
  isBackendInstalled,
  BACKEND_CHOICES,
  type BackendChoice,
  type BackendRequest,
  type ConcreteBackend,
} from './select.js';
export { registerWasmTrainingKernels, registerConv2DGradient, WASM_TRAINING_KERNELS } from './register-wasm-kernels.js';
