import type { Argv } from 'yargs';
import { RunDirectoryError, UsageError } from '../util/errors.js';
import { MAX_NATIVE_THREADS } from '../util/native-addon.js';
import {
  BACKEND_CHOICES,
  selectBackend,
  TRAINING_KERNEL_CHOICES,
  type BackendChoice,
  type BackendRequest,
  type TrainingKernelRequest,
} from '../backend/index.js';

/** `--backend`, and on wasm `--kernels` and `--threads`, for every command that computes with tfjs. */
export function withBackendOption<T>(y: Argv<T>) {
  return y
    .option('backend', {
      choices: BACKEND_CHOICES,
      default: 'auto' as BackendRequest,
      describe: 'tfjs backend: auto tries tensorflow-gpu, tensorflow, wasm, cpu in that order',
    })
    .option('kernels', {
      choices: TRAINING_KERNEL_CHOICES,
      default: 'auto' as TrainingKernelRequest,
      describe: 'kernels that train on the wasm backend: native (the C addon, threads), wasm (the JS composites), auto = native when the addon runs here',
    })
    .option('threads', {
      type: 'number',
      describe: 'threads of the native kernels in this process (default: every core; evaluation workers share the cores)',
    });
}

/** What `withBackendOption` parses. */
export interface BackendArgs {
  backend: BackendRequest;
  kernels: TrainingKernelRequest;
  threads?: number;
}

/** `--json`: machine-readable result on stdout, nothing else there. */
export function withJsonOption<T>(y: Argv<T>) {
  return y.option('json', { type: 'boolean', default: false, describe: 'print the result as JSON on stdout' });
}

/** Select the backend (and its training kernels) and say which on stderr (stdout stays clean for --json). */
export async function useBackend(args: BackendArgs): Promise<BackendChoice> {
  checkThreadsOption(args.threads);
  const choice = await selectBackend(args.backend, { kernels: args.kernels, ...(args.threads !== undefined ? { threads: args.threads } : {}) });
  const skipped = choice.skipped.length > 0 ? ` (skipped: ${choice.skipped.map((s) => s.name).join(', ')})` : '';
  process.stderr.write(`groupnas: backend ${choice.name}${skipped}${trainingKernelsText(choice)}\n`);
  return choice;
}

/** `, native training kernels (avx512, 2 threads)` / `, wasm training kernels (why)`, or nothing off wasm. */
export function trainingKernelsText(choice: BackendChoice): string {
  const t = choice.training;
  if (t === undefined) return '';
  return t.kind === 'native'
    ? `, native training kernels (${t.path}, ${t.threads} thread${t.threads === 1 ? '' : 's'})`
    : `, wasm training kernels (${t.reason})`;
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** The text given for option `key` on the command line (`--key value` or `--key=value`), for messages. */
function givenText(args: readonly string[], key: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === `--${key}`) return args[i + 1];
    if (a.startsWith(`--${key}=`)) return a.slice(key.length + 3);
  }
  return undefined;
}

/**
 * Every number option must be a number: yargs turns `--width-mult abc` into NaN and goes on.
 * Throws a UsageError naming the option and what was given. (Ranges are each command's to check.)
 */
export function checkNumberOptions(argv: Record<string, unknown>, args: readonly string[]): void {
  for (const [key, value] of Object.entries(argv)) {
    // yargs keeps both spellings (`width-mult`, `widthMult`); the kebab one is what users type
    if (/[A-Z]/.test(key) || key.length < 2) continue;
    const values = Array.isArray(value) ? value : [value];
    if (values.some((v) => typeof v === 'number' && Number.isNaN(v))) {
      const given = givenText(args, key);
      throw new UsageError(`--${key}: expected a number, got ${given === undefined ? 'nothing' : `'${given}'`}`);
    }
  }
}

/** `--threads` of the native kernels: 1 to MAX_NATIVE_THREADS. */
export function checkThreadsOption(threads: number | undefined): void {
  checkNumber('threads', threads, { integer: true, min: 1, below: MAX_NATIVE_THREADS + 1 });
}

/** The range a number option must lie in; every bound is optional. */
export interface NumberRange {
  integer?: boolean;
  /** Inclusive lower bound. */
  min?: number;
  /** Exclusive lower bound. */
  above?: number;
  /** Exclusive upper bound. */
  below?: number;
}

/** Throws a UsageError naming `--flag` when `value` (if given) is outside `range`. */
export function checkNumber(flag: string, value: number | undefined, range: NumberRange): void {
  if (value === undefined) return;
  const { integer = false, min, above, below } = range;
  const ok =
    (!integer || Number.isInteger(value)) &&
    (min === undefined || value >= min) &&
    (above === undefined || value > above) &&
    (below === undefined || value < below);
  if (ok) return;
  const bounds = [min !== undefined ? `≥ ${min}` : '', above !== undefined ? `> ${above}` : '', below !== undefined ? `< ${below}` : '']
    .filter(Boolean)
    .join(' and ');
  throw new UsageError(`--${flag}: expected ${integer ? 'an integer' : 'a number'}${bounds ? ` ${bounds}` : ''}, got ${value}`);
}

/**
 * Library errors name a run directory; the command line names the flag that gave it: a directory
 * that already holds a `what` came from --out (continue it with --resume), a missing run from --resume.
 */
export function namingRunFlags(err: unknown, what: string): unknown {
  if (!(err instanceof RunDirectoryError)) return err;
  return err.problem === 'taken'
    ? new UsageError(`--out ${err.dir}: already holds a ${what}; continue it with --resume ${err.dir}, or choose another directory`)
    : new UsageError(`--resume ${err.dir}: ${err.detail}`);
}
