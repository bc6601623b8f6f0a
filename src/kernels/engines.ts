/** Choosing an engine by name; `auto` takes the fastest one this machine can run. */
import { NotAvailableError, UsageError } from '../util/errors.js';
import type { BinaryEngine, EngineName } from './engine.js';
import { JsEngine } from './js-engine.js';
import { nativeAddonSource, type NativeAddonSource, type NativePath } from '../util/native-addon.js';
import { NativeEngine } from './native-engine.js';
import { WasmEngine } from './wasm-engine.js';

export type EngineChoice = EngineName | 'auto';

export const ENGINE_NAMES: readonly EngineName[] = ['js', 'wasm', 'native'];

export interface CreateEngineOptions {
  /** Told why `auto` skipped a faster engine; default: one line on stderr per process. */
  onFallback?: (message: string) => void;
}

let fallbackReported = false;
function reportOnce(message: string): void {
  if (fallbackReported) return;
  fallbackReported = true;
  process.stderr.write(`groupnas: ${message}\n`);
}

/**
 * Create an engine. `native` throws a NotAvailableError saying why when the addon is not
 * built or cannot run here; `auto` falls back native → wasm → js and says so.
 */
export function createEngine(choice: EngineChoice = 'auto', options: CreateEngineOptions = {}): BinaryEngine {
  switch (choice) {
    case 'js':
      return new JsEngine();
    case 'wasm':
      return new WasmEngine();
    case 'native':
      return new NativeEngine();
    case 'auto': {
      const report = options.onFallback ?? reportOnce;
      try {
        return new NativeEngine();
      } catch (err) {
        if (!(err instanceof NotAvailableError)) throw err;
        report(`${err.message} — using the wasm engine`);
      }
      try {
        return new WasmEngine();
      } catch (err) {
        if (!(err instanceof NotAvailableError)) throw err;
        report(`${err.message} — using the js engine`);
        return new JsEngine();
      }
    }
    default:
      throw new UsageError(`engine: expected one of ${[...ENGINE_NAMES, 'auto'].join(', ')}, got ${String(choice)}`);
  }
}

/** Engines that can run here, fastest first. */
export function availableEngines(): EngineName[] {
  const names: EngineName[] = [];
  for (const [name, make] of [
    ['native', () => new NativeEngine()],
    ['wasm', () => new WasmEngine()],
  ] as const) {
    try {
      make();
      names.push(name);
    } catch (err) {
      if (!(err instanceof NotAvailableError)) throw err;
    }
  }
  names.push('js');
  return names;
}

/** Whether the native engine runs here: its dispatch path and where its addon comes from, or why not. */
export type NativeEngineStatus = { available: true; path: NativePath; addon: NativeAddonSource } | { available: false; reason: string };

export function nativeEngineStatus(): NativeEngineStatus {
  try {
    const engine = new NativeEngine();
    return { available: true, path: engine.path, addon: nativeAddonSource()! };
  } catch (err) {
    if (!(err instanceof NotAvailableError)) throw err;
    return { available: false, reason: err.message };
  }
}
