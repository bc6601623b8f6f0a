import { createRequire } from 'node:module';
import * as tf from '../util/tfjs.js';
import { NotAvailableError, UsageError } from '../util/errors.js';
import { closeNativeTraining, openNativeTraining, TRAINING_KERNEL_CHOICES, type TrainingKernelRequest } from './native/native-training.js';
import { useTrainingKernels } from './register-wasm-kernels.js';

/** What a user may ask for with `--backend`. */
export const BACKEND_CHOICES = ['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendRequest = (typeof BACKEND_CHOICES)[number];
export type ConcreteBackend = Exclude<BackendRequest, 'auto'>;

/** `auto` tries these in order and keeps the first that initializes. */
const AUTO_ORDER: readonly ConcreteBackend[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

interface BackendSpec {
  /** npm package whose import registers the tfjs backend; undefined = loaded with tfjs itself (src/util/tfjs.ts). */
  pkg?: string;
  /** tfjs's own registry name for the backend. */
  tfName: string;
  install: string;
}

const SPECS: Record<ConcreteBackend, BackendSpec> = {
  'tensorflow-gpu': {
    pkg: '@tensorflow/tfjs-node-gpu',
    tfName: 'tensorflow',
    install: 'npm install @tensorflow/tfjs-node-gpu@4.22.0 (needs CUDA and internet access to download libtensorflow)',
  },
  tensorflow: {
    pkg: '@tensorflow/tfjs-node',
    tfName: 'tensorflow',
    install: 'npm install @tensorflow/tfjs-node@4.22.0 (needs internet access to download libtensorflow)',
  },
  wasm: {
    pkg: '@tensorflow/tfjs-backend-wasm',
    tfName: 'wasm',
    install: 'npm install @tensorflow/tfjs-backend-wasm@4.22.0',
  },
  cpu: { tfName: 'cpu', install: 'npm install @tensorflow/tfjs-backend-cpu@4.22.0' },
};

export interface BackendChoice {
  name: ConcreteBackend;
  requested: BackendRequest;
  /** Backends tried before this one under `auto`, with why each was skipped. */
  skipped: { name: ConcreteBackend; reason: string }[];
  /** On wasm: the kernels that train (see TrainingKernels). */
  training?: TrainingKernels;
}

/** Which kernels train on the wasm backend, and why. */
export type TrainingKernels =
  | { kind: 'native'; path: string; threads: number }
  /** `reason`: why not native (asked for wasm, or the addon is not available). */
  | { kind: 'wasm'; reason: string };

/** How the wasm backend trains: `kernels` (default auto: native when the addon runs here), `threads` per kernel call. */
export interface TrainingKernelOptions {
  kernels?: TrainingKernelRequest;
  threads?: number;
}

const localRequire = createRequire(import.meta.url);

/** Is the package behind a backend installed (resolvable), without loading it? */
export function isBackendInstalled(name: ConcreteBackend): boolean {
  const pkg = SPECS[name].pkg;
  if (pkg === undefined) return true;
  try {
    localRequire.resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

/** Backends whose packages are present here (whether they initialize is only known by trying). */
export function installedBackends(): ConcreteBackend[] {
  return AUTO_ORDER.filter(isBackendInstalled);
}

let active: BackendChoice | undefined;

/** The backend chosen by the last `selectBackend`, if any. */
export function activeBackend(): BackendChoice | undefined {
  return active;
}

/** Put the requested training kernels in place on the (active) wasm backend. */
function chooseTrainingKernels(options: TrainingKernelOptions): TrainingKernels {
  const requested = options.kernels ?? 'auto';
  if (!(TRAINING_KERNEL_CHOICES as readonly string[]).includes(requested)) {
    throw new UsageError(`training kernels: expected one of ${TRAINING_KERNEL_CHOICES.join(', ')}, got '${String(requested)}'`);
  }
  if (requested === 'wasm') {
    closeNativeTraining();
    useTrainingKernels('wasm');
    return { kind: 'wasm', reason: 'requested' };
  }
  try {
    const native = openNativeTraining(options.threads);
    useTrainingKernels('native');
    return { kind: 'native', path: native.path, threads: native.threads };
  } catch (err) {
    if (requested === 'native' || err instanceof UsageError) throw err;
    closeNativeTraining();
    useTrainingKernels('wasm');
    return { kind: 'wasm', reason: firstLine(err) };
  }
}

async function activate(name: ConcreteBackend): Promise<void> {
  const spec = SPECS[name];
  if (!isBackendInstalled(name)) {
    throw new NotAvailableError(`backend '${name}' is not installed; install it with: ${spec.install}`);
  }
  if (spec.pkg !== undefined) {
    // require, not import: the backends are CommonJS, and an ESM import would first scan their source
    // for export names (see util/tfjs.ts). A variable specifier keeps tsc from resolving the optional peers.
    const pkg: string = spec.pkg;
    try {
      localRequire(pkg);
    } catch (err) {
      throw new NotAvailableError(`backend '${name}' is installed but failed to load (${firstLine(err)}); reinstall with: ${spec.install}`);
    }
  }
  let ok = false;
  try {
    ok = await tf.setBackend(spec.tfName);
    await tf.ready();
  } catch (err) {
    throw new NotAvailableError(`backend '${name}' failed to initialize: ${firstLine(err)}`);
  }
  if (!ok || tf.getBackend() !== spec.tfName) {
    throw new NotAvailableError(`backend '${name}' failed to initialize`);
  }
}

/**
 * Make `requested` the tfjs backend of this process. `auto` tries tfjs-node-gpu, tfjs-node,
 * wasm, cpu in that order (by dynamic import) and keeps the first that works.
 */
export async function selectBackend(requested: BackendRequest = 'auto', training: TrainingKernelOptions = {}): Promise<BackendChoice> {
  // Production mode only silences tfjs's console chatter (e.g. its "install tfjs-node" banner on cpu);
  // we say ourselves which backend runs and why.
  tf.env().set('PROD', true);
  if (!(BACKEND_CHOICES as readonly string[]).includes(requested)) {
    throw new UsageError(`--backend: expected one of ${BACKEND_CHOICES.join(', ')}, got '${String(requested)}'`);
  }
  const withKernels = (choice: BackendChoice): BackendChoice => {
    if (choice.name === 'wasm') choice.training = chooseTrainingKernels(training);
    active = choice;
    return choice;
  };
  if (requested !== 'auto') {
    await activate(requested);
    return withKernels({ name: requested, requested, skipped: [] });
  }
  const skipped: BackendChoice['skipped'] = [];
  for (const name of AUTO_ORDER) {
    try {
      await activate(name);
    } catch (err) {
      skipped.push({ name, reason: firstLine(err) });
      continue;
    }
    return withKernels({ name, requested, skipped });
  }
  throw new NotAvailableError(`no tfjs backend could be initialized: ${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}`);
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0] ?? text;
}
