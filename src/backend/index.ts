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
  type TrainingKernels,
  type TrainingKernelOptions,
} from './select.js';
export {
  TRAINING_KERNEL_CHOICES,
  defaultTrainingThreads,
  activeNativeTraining,
  setNativeTrainingThreads,
  type TrainingKernelRequest,
  type NativeTraining,
} from './native/native-training.js';
export {
  registerWasmTrainingKernels,
  registerConv2DGradient,
  useTrainingKernels,
  WASM_TRAINING_KERNELS,
  NATIVE_TRAINING_KERNELS,
} from './register-wasm-kernels.js';
