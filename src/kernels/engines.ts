/** Choosing an engine by name; `auto` takes the fastest one this machine can run. */
import { NotAvailableError, UsageError } from '../util/errors.js';
import type { BinaryEngine, EngineName } from './engine.js';
import { JsEngine } from './js-engine.js';
import { WasmEngine } from './wasm-engine.js';

export type EngineChoice = EngineName | 'auto';

export const ENGINE_NAMES: readonly EngineName[] = ['js', 'wasm', 'native'];

/** Create an engine. `native` is not built yet (separate issue) and reports so; `auto` falls back native → wasm → js. */
export function createEngine(choice: EngineChoice = 'auto'): BinaryEngine {
  switch (choice) {
    case 'js':
      return new JsEngine();
    case 'wasm':
      return new WasmEngine();
    case 'native':
      throw new NotAvailableError('native engine: not available in this build (the Node-API addon is a separate issue); use --engine wasm');
    case 'auto':
      try {
        return new WasmEngine();
      } catch (err) {
        if (err instanceof NotAvailableError) return new JsEngine();
        throw err;
      }
    default:
      throw new UsageError(`engine: expected one of ${[...ENGINE_NAMES, 'auto'].join(', ')}, got ${String(choice)}`);
  }
}

/** Engines that can run here, fastest first. */
export function availableEngines(): EngineName[] {
  const names: EngineName[] = [];
  try {
    new WasmEngine();
    names.push('wasm');
  } catch (err) {
    if (!(err instanceof NotAvailableError)) throw err;
  }
  names.push('js');
  return names;
}
