import type { Argv, CommandModule } from 'yargs';
import { benchKernels, formatKernelsReport, KERNELS_BENCH_PARTS, type KernelsBenchPart } from '../../bench/kernels.js';
import type { EngineChoice } from '../../kernels/index.js';
import { printJson, withJsonOption } from '../options.js';
import { progressBars } from '../progress-bar.js';

interface KernelsArgs {
  json: boolean;
  engine: EngineChoice;
  part: KernelsBenchPart[];
  remeasure: boolean;
  torch: boolean;
  seconds: number;
}

const kernels: CommandModule<object, KernelsArgs> = {
  command: 'kernels',
  describe: 'Binary conv throughput vs fp32 XNNPACK per layer, the latency look-up table (predicted vs measured), Group-Net R vs PyTorch',
  builder: (y) =>
    withJsonOption(y)
      .option('engine', {
        choices: ['auto', 'js', 'wasm', 'native'] as const,
        default: 'auto' as EngineChoice,
        describe: 'packed engine (auto: the fastest here); layers are also timed on wasm',
      })
      .option('part', { type: 'array', choices: KERNELS_BENCH_PARTS, default: [...KERNELS_BENCH_PARTS] as KernelsBenchPart[], describe: 'parts to run' })
      .option('remeasure', { type: 'boolean', default: false, describe: 'measure every latency-table entry again instead of reading the cache' })
      .option('torch', { type: 'boolean', default: true, describe: 'run the PyTorch inference peer when /usr/bin/python3 has torch (--no-torch skips)' })
      .option('seconds', { type: 'number', default: 0.4, describe: 'seconds of timing per layer measurement' })
      .example('$0 bench kernels --part layers --engine wasm', 'per-layer throughput only') as Argv<KernelsArgs>,
  handler: async (argv) => {
    const report = await benchKernels({
      engine: argv.engine,
      parts: argv.part,
      layerSeconds: argv.seconds,
      table: { remeasure: argv.remeasure },
      torch: argv.torch,
      progress: progressBars(),
    });
    if (argv.json) printJson(report);
    else console.log(formatKernelsReport(report));
  },
};

export default kernels;
