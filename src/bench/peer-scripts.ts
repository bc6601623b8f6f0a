import { join } from 'node:path';
import { PACKAGE_ROOT } from '../util/version.js';

/** The PyTorch peers (Python scripts beside this module) that the benchmarks compare against. */
export function peerScript(file: string): string {
  return join(PACKAGE_ROOT, 'src', 'bench', 'peers', file);
}
