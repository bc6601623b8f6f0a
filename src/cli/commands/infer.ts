import type { Argv, CommandModule } from 'yargs';
import { inferPackedModel, timeThreadedInference, type InferReport } from '../../bench/packed-infer.js';
import type { EngineChoice } from '../../kernels/index.js';
import { checkThreadsOption, printJson, withJsonOption } from '../options.js';

interface InferArgs {
  json: boolean;
  model: string;
  data?: string;
  engine: EngineChoice;
  limit?: number;
  seconds: number;
  predictions: boolean;
  threads: number;
}

function print(r: InferReport): void {
  console.log(`${r.arch} (${r.model}) on the packed ${r.engine} engine`);
  const recorded =
    r.tfjsTestAccuracy === undefined
      ? ''
      : `  (tfjs at export: ${(r.tfjsTestAccuracy * 100).toFixed(2)}%${r.tfjsTestAccuracy === r.accuracy ? ', identical' : ''})`;
  if (r.segmentation) {
    const m = r.segmentation;
    const tfjs =
      r.tfjsTestMiou === undefined ? '' : `  (tfjs at export: ${(r.tfjsTestMiou * 100).toFixed(2)}%${r.tfjsTestMiou === m.miou ? ', identical' : ''})`;
    console.log(
      `test mIoU ${(m.miou * 100).toFixed(2)}%${tfjs}, pixel accuracy ${(m.pixelAccuracy * 100).toFixed(2)}% on ${r.data.testImages} images of ${r.data.name}`,
    );
  } else {
    console.log(`test accuracy ${(r.accuracy * 100).toFixed(2)}% (${r.correct}/${r.data.testImages}) on ${r.data.name}${recorded}`);
  }
  for (const l of r.latency) {
    console.log(
      `latency batch ${String(l.batch).padEnd(3)} ${(l.medianSeconds * 1e3).toFixed(2).padStart(9)} ms  ${l.imagesPerSecond.toFixed(1).padStart(8)} ` +
        `images/s  (median of ${l.repeats})`,
    );
  }
  if (r.threaded) {
    const t = r.threaded;
    const one = r.latency.find((l) => l.batch === t.batch);
    console.log(
      `batch ${t.batch} on ${t.threads} threads ${(t.medianSeconds * 1e3).toFixed(2).padStart(9)} ms  ${t.imagesPerSecond.toFixed(1).padStart(8)} images/s` +
        `${one ? `  (${(t.imagesPerSecond / one.imagesPerSecond).toFixed(2)}× one thread)` : ''}`,
    );
  }
  console.log(`machine: ${r.machine.cpu}, ${r.threaded ? `one thread, then ${r.threaded.threads}` : 'one thread'}`);
}

const infer: CommandModule<object, InferArgs> = {
  command: 'infer',
  describe: "Run a .gnb packed model on a data set's test images: accuracy (segmentation: mIoU), latency at batch 1 and 64, engine",
  builder: (y) =>
    withJsonOption(y)
      .option('model', { type: 'string', demandOption: true, describe: 'the .gnb model (groupnas export)' })
      .option('data', { type: 'string', describe: '`embedded`, `debian` or a directory (default: the data set the model was trained on)' })
      .option('engine', {
        choices: ['auto', 'js', 'wasm', 'native'] as const,
        default: 'auto' as EngineChoice,
        describe: 'packed engine (auto: the fastest here)',
      })
      .option('limit', { type: 'number', describe: 'the first N test images only' })
      .option('seconds', { type: 'number', default: 1, describe: 'seconds of timing per batch size (median of repeats)' })
      .option('threads', {
        type: 'number',
        default: 1,
        describe: 'also time batch 64 on this many threads (the batch cut into one slice per thread, each on its own copy of the model)',
      })
      .option('predictions', { type: 'boolean', default: false, describe: 'with --json: also list the predicted class of every image' })
      .example('$0 infer --model model.gnb --engine wasm', '') as Argv<InferArgs>,
  handler: async (argv) => {
    checkThreadsOption(argv.threads);
    const report = inferPackedModel(argv.model, {
      data: argv.data,
      engine: argv.engine,
      limit: argv.limit,
      timing: { seconds: argv.seconds },
      predictions: argv.predictions,
    });
    if (argv.threads > 1)
      report.threaded = await timeThreadedInference(argv.model, { engine: argv.engine, threads: argv.threads, timing: { seconds: argv.seconds } });
    if (argv.json) printJson(report);
    else print(report);
  },
};

export default infer;
