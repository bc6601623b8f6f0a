import type { Argv, CommandModule } from 'yargs';
import { benchKernels, KERNELS_BENCH_PARTS, type KernelsBenchPart, type KernelsBenchReport } from '../../bench/kernels.js';
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

const ms = (s: number, digits = 3): string => (s * 1e3).toFixed(digits);
const giga = (v: number): string => (v / 1e9).toFixed(1);
const pct = (v: number | undefined): string => (v === undefined ? '-' : `${(v * 100).toFixed(0)}%`);

/** The report as tables, machine and load first. */
export function formatKernelsReport(r: KernelsBenchReport): string {
  const m = r.machine;
  const lines = [
    `machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, simd [${m.simd.join(' ')}], node ${m.node} (fingerprint ${r.fingerprint})`,
    `load average (1 min): ${r.loadAverage.before.toFixed(2)} before, ${r.loadAverage.after.toFixed(2)} after — the cores are shared; one thread, batch 1`,
    `engine: ${r.engine}; popcount roofline: ${r.rooflines.map((x) => `${x.engine} ${giga(x.macsPerSecond)} G binary MAC/s`).join(', ') || 'none measured'}`,
  ];
  if (r.layers) {
    const engines = r.layers[0]?.engines.map((e) => e.engine) ?? [];
    lines.push(
      '',
      'Per layer (3×3 conv, symmetric zero padding): binary = conv + per-channel transform to float32; sign = with the fused sign (packed output)',
    );
    lines.push(
      [
        'layer'.padEnd(30),
        'fp32 ms'.padStart(8),
        'G FLOP/s'.padStart(8),
        ...engines.flatMap((e) => [`${e} ms`.padStart(10), 'G bMAC/s'.padStart(8), 'roofline'.padStart(8), 'sign ms'.padStart(8), '× fp32'.padStart(7)]),
      ].join('  '),
    );
    for (const l of r.layers) {
      lines.push(
        [
          l.layer.name.padEnd(30),
          ms(l.fp32Seconds).padStart(8),
          giga(l.fp32FlopsPerSecond).padStart(8),
          ...l.engines.flatMap((e) => [
            ms(e.seconds).padStart(10),
            giga(e.macsPerSecond).padStart(8),
            pct(e.rooflineFraction).padStart(8),
            ms(e.signSeconds).padStart(8),
            `${e.speedupVsFp32.toFixed(1)}×`.padStart(7),
          ]),
        ].join('  '),
      );
    }
  }
  if (r.table) {
    const t = r.table;
    lines.push(
      '',
      `Latency table (${t.engine}): ${t.entries} entries, ${t.measured} measured now in ${t.seconds.toFixed(1)} s, the rest cached${t.cacheFile ? ` — ${t.cacheFile}` : ''}`,
    );
    lines.push(`${'model (batch 1)'.padEnd(48)}  ${'predicted ms'.padStart(12)}  ${'measured ms'.padStart(11)}  ${'error'.padStart(6)}`);
    for (const p of t.predictions) {
      lines.push(
        `${p.model.padEnd(48)}  ${ms(p.predictedSeconds, 2).padStart(12)}  ${ms(p.measuredSeconds, 2).padStart(11)}  ${`${p.error >= 0 ? '+' : ''}${(p.error * 100).toFixed(0)}%`.padStart(6)}`,
      );
    }
  }
  if (r.model) {
    const w = r.model;
    lines.push('', `Whole model: ${w.model} through the packed ${w.engine} engine`);
    for (const l of w.latency)
      lines.push(`  batch ${String(l.batch).padEnd(3)} ${ms(l.medianSeconds, 2).padStart(9)} ms  ${l.imagesPerSecond.toFixed(1).padStart(8)} images/s`);
    if ('unavailable' in w.torch) {
      lines.push(`  PyTorch peer: ${w.torch.unavailable}`);
    } else {
      const { fpTwin, groupNetFloat } = w.torch;
      const packed1 = w.latency[0]!.imagesPerSecond;
      lines.push(`  PyTorch ${fpTwin.torch}, ${fpTwin.threads} thread, batch 1:`);
      lines.push(
        `    full-precision twin of R: ${fpTwin.imagesPerSec.toFixed(1)} images/s → packed Group-Net K=5 runs at ${(packed1 / fpTwin.imagesPerSec).toFixed(2)}× its speed`,
      );
      lines.push(
        `    Group-Net K=5 in float simulation: ${groupNetFloat.imagesPerSec.toFixed(1)} images/s → packed is ${(packed1 / groupNetFloat.imagesPerSec).toFixed(1)}× faster`,
      );
    }
  }
  lines.push('', `(${r.seconds.toFixed(0)} s)`);
  return lines.join('\n');
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
      progress: argv.json ? undefined : progressBars(),
    });
    if (argv.json) printJson(report);
    else console.log(formatKernelsReport(report));
  },
};

export default kernels;
