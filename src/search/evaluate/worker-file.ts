/**
 * Where the pool's worker entry lives. Worker threads run plain JavaScript, so the entry is always
 * the built `dist/search/evaluate/evaluate-worker.js`:
 * - from the installed package (dist), it is the file beside this one;
 * - from TypeScript sources (vitest runs src/ through its own transformer, which a worker thread
 *   does not inherit), it is the same path under dist/ — tests call `ensureBuilt()` first, which
 *   rebuilds dist/ when src/ is newer, so both sides run the same code.
 * A loader hook that compiles TypeScript inside each worker would avoid the build but would make
 * the pool's behaviour depend on a dev-only transformer; the built file is what users run.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NotAvailableError } from '../../util/errors.js';
import { PACKAGE_ROOT } from '../../util/version.js';

const ENTRY = 'evaluate-worker.js';

export function evaluationWorkerFile(): string {
  const here = fileURLToPath(import.meta.url);
  const file = here.endsWith('.js') ? join(dirname(here), ENTRY) : join(PACKAGE_ROOT, 'dist', 'search', 'evaluate', ENTRY);
  if (!existsSync(file)) {
    throw new NotAvailableError(`the evaluation worker ${file} is missing; build the package first (npm run build)`);
  }
  return file;
}
