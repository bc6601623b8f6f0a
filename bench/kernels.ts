/**
 * Binary conv throughput, the latency table and Group-Net R vs PyTorch (issue 6) — the library
 * behind `groupnas bench kernels` (src/bench/kernels.ts), runnable directly after compiling:
 *   node build/bench/kernels.js [--json]
 * The numbers to quote come from the CLI: `groupnas bench kernels` / `npm run bench`.
 */
import { pathToFileURL } from 'node:url';
import { benchKernels } from '../src/bench/kernels.js';
import { defaultBenchLayers, type BenchLayer } from '../src/bench/kernel-layers.js';
import { formatKernelsReport } from '../src/cli/commands/bench-kernels.js';

export type { BenchLayer };

/** The four ResNet-18 stage convs and the binary convs of R and R/2. */
export const BENCH_LAYERS: readonly BenchLayer[] = defaultBenchLayers();

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const report = await benchKernels({ torch: !process.argv.includes('--no-torch') });
  console.log(process.argv.includes('--json') ? JSON.stringify(report, null, 2) : formatKernelsReport(report));
}
