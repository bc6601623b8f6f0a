import type { Argv } from 'yargs';
import { BACKEND_CHOICES, selectBackend, type BackendChoice, type BackendRequest } from '../backend/select.js';

/** `--backend` for every command that computes with tfjs. */
export function withBackendOption<T>(y: Argv<T>) {
  return y.option('backend', {
    choices: BACKEND_CHOICES,
    default: 'auto' as BackendRequest,
    describe: 'tfjs backend: auto tries tensorflow-gpu, tensorflow, wasm, cpu in that order',
  });
}

/** `--json`: machine-readable result on stdout, nothing else there. */
export function withJsonOption<T>(y: Argv<T>) {
  return y.option('json', { type: 'boolean', default: false, describe: 'print the result as JSON on stdout' });
}

/** Select the backend and say which one on stderr (stdout stays clean for --json). */
export async function useBackend(requested: BackendRequest): Promise<BackendChoice> {
  const choice = await selectBackend(requested);
  const skipped = choice.skipped.length > 0 ? ` (skipped: ${choice.skipped.map((s) => s.name).join(', ')})` : '';
  process.stderr.write(`groupnas: backend ${choice.name}${skipped}\n`);
  return choice;
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
