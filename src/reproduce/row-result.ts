/**
 * The outcome a finished training run leaves in `result.json` (src/train writes it last, so its
 * presence marks a finished run), read with errors that name the file and field.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { FileFormatError } from '../util/errors.js';
import { readJsonFile } from '../util/json-file.js';

export const RUN_RESULT_FILE = 'result.json';

export interface RunResult {
  testAccuracy: number;
  testImages: number;
  /** Training seconds summed over the run's epochs (over every session that trained it). */
  trainingSeconds: number;
}

/** The run's result, or undefined while it has not finished. */
export function readRunResult(dir: string): RunResult | undefined {
  const file = join(dir, RUN_RESULT_FILE);
  if (!existsSync(file)) return undefined;
  const raw = readJsonFile(file) as { testAccuracy?: unknown; testImages?: unknown; epochs?: unknown };
  if (typeof raw.testAccuracy !== 'number') throw new FileFormatError(file, 'testAccuracy', 'expected a number');
  if (typeof raw.testImages !== 'number') throw new FileFormatError(file, 'testImages', 'expected a number');
  if (!Array.isArray(raw.epochs)) throw new FileFormatError(file, 'epochs', 'expected the per-epoch history (an array)');
  const trainingSeconds = (raw.epochs as { seconds?: unknown }[]).reduce((sum, e) => sum + (typeof e.seconds === 'number' ? e.seconds : 0), 0);
  return { testAccuracy: raw.testAccuracy, testImages: raw.testImages, trainingSeconds };
}
