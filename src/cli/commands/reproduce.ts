import type { Argv, CommandModule } from 'yargs';
import { getTable, reproduceTable, resultsMarkdown, TABLE_NAMES, UNDISTILLED_PRESET, type ReproduceBudget, type TableName } from '../../reproduce/index.js';
import { DEFAULT_TRAINING } from '../../train/training-options.js';
import { UsageError } from '../../util/errors.js';
import { printJson, useBackend, withBackendOption, withJsonOption, type BackendArgs } from '../options.js';
import { progressBars } from '../progress-bar.js';

interface ReproduceArgs extends BackendArgs {
  table: TableName;
  json: boolean;
  data: string;
  'width-mult': number;
  epochs: number;
  batch: number;
  limit?: number;
  'test-limit'?: number;
  lr: number;
  seeds: string;
  presets?: string;
  out?: string;
  teacher?: string;
  kd: number;
  at: number;
  temperature: number;
  'checkpoint-every': number;
}

// The seed varies per row and checkpointing never changes a result: neither is part of the budget.
const { seed: _seed, checkpointEverySteps: _every, ...SHARED_DEFAULTS } = DEFAULT_TRAINING;

function parseSeeds(text: string): number[] {
  const seeds = text.split(',').map((s) => s.trim());
  if (seeds.some((s) => !/^\d+$/.test(s))) throw new UsageError(`--seeds: expected comma-separated non-negative integers such as 0,1; got "${text}"`);
  return seeds.map(Number);
}

function tablesHelp(): string {
  return TABLE_NAMES.map((name) => {
    const t = getTable(name);
    return `  ${name}: ${t.rows.map((r) => r.preset).join(', ')} — ${t.title}`;
  }).join('\n');
}

const reproduce: CommandModule<object, ReproduceArgs> = {
  command: 'reproduce <table>',
  describe: "Train the presets of one of the supplement's tables at one fixed budget and print them beside its ImageNet numbers; resumable",
  builder: (y) =>
    withJsonOption(withBackendOption(y))
      .positional('table', { choices: TABLE_NAMES, describe: 'which table' })
      .usage(
        `$0 reproduce <table> [options]\n\n` +
          `Trains every preset of the table once per seed, all at the same budget, each as an ordinary run\n` +
          `directory <out>/<preset>-seed<s> (as \`groupnas train\` makes), then prints test accuracy (mean ± std\n` +
          `and min–max over seeds) beside the supplement's ImageNet top-1 for the same row, and whether the\n` +
          `orderings the supplement reports hold here. Rerunning the same command keeps finished rows and\n` +
          `resumes a partial one, so a killed reproduction continues where it stopped; a directory trained\n` +
          `with another budget is refused. The table is also written to <out>/results.md and results.json.\n` +
          `Tables that share presets (fp, groupnet-k5) may share one --out at one budget: a shared row is\n` +
          `trained once, and results.md holds the table printed last.\n\n` +
          `Tables:\n${tablesHelp()}`,
      )
      .option('data', {
        type: 'string',
        default: DEFAULT_TRAINING.data,
        describe: '`embedded`, `debian` (full Fashion-MNIST) or a directory of idx / CIFAR-10 files',
      })
      .option('width-mult', { type: 'number', default: 0.5, describe: 'width multiplier of network R (0.5 = R/2)' })
      .option('epochs', { type: 'number', default: 3, describe: 'epochs per row' })
      .option('batch', { type: 'number', default: DEFAULT_TRAINING.batchSize, describe: 'images per training step' })
      .option('limit', { type: 'number', describe: 'train on the first N training images only' })
      .option('test-limit', { type: 'number', describe: 'test on the first N test images only' })
      .option('lr', {
        type: 'number',
        default: DEFAULT_TRAINING.learningRate,
        describe: `base learning rate (${DEFAULT_TRAINING.optimizer}, ${DEFAULT_TRAINING.schedule} schedule)`,
      })
      .option('seeds', { type: 'string', default: '0,1', describe: 'comma-separated seeds; one run per preset and seed' })
      .option('out', { type: 'string', describe: 'directory of the rows and results (default runs/reproduce-<table>)' })
      .option('presets', { type: 'string', describe: "comma-separated: train only these of the table's presets (default: all of them)" })
      .option('teacher', {
        type: 'string',
        describe: `distil every row but ${UNDISTILLED_PRESET} from the full-precision teacher trained in this run directory`,
      })
      .option('kd', { type: 'number', default: 1, describe: 'with --teacher: weight of logit KD (T²·KL)' })
      .option('at', { type: 'number', default: 0, describe: 'with --teacher: weight of attention transfer' })
      .option('temperature', { type: 'number', default: 4, describe: 'with --teacher: KD temperature T' })
      .option('checkpoint-every', {
        type: 'number',
        default: DEFAULT_TRAINING.checkpointEverySteps,
        describe: 'also checkpoint every N steps within an epoch (a kill loses less; results do not change)',
      })
      .example('$0 reproduce bases --epochs 3 --seeds 0,1 --out runs/reproduce-bases', 'Table S2 on the embedded Fashion-MNIST subset, R/2')
      .example(
        '$0 reproduce bases --epochs 3 --seeds 0,1 --out runs/reproduce-bases',
        'the same command again: finished rows are kept, the rest continue',
      ) as Argv<ReproduceArgs>,
  handler: async (argv) => {
    const seeds = parseSeeds(argv.seeds);
    await useBackend(argv);
    const budget: ReproduceBudget = {
      backbone: 'resnet-r',
      widthMultiplier: argv['width-mult'],
      training: {
        ...SHARED_DEFAULTS,
        data: argv.data,
        epochs: argv.epochs,
        batchSize: argv.batch,
        ...(argv.limit !== undefined ? { limit: argv.limit } : {}),
        ...(argv['test-limit'] !== undefined ? { testLimit: argv['test-limit'] } : {}),
        learningRate: argv.lr,
        ...(argv.teacher !== undefined
          ? { distillation: { teacher: argv.teacher, kd: argv.kd, at: argv.at, temperature: argv.temperature, labelWeight: 1 } }
          : {}),
      },
    };
    const outcome = reproduceTable({
      table: argv.table,
      budget,
      seeds,
      ...(argv.presets !== undefined
        ? {
            presets: argv.presets
              .split(',')
              .map((p) => p.trim())
              .filter((p) => p !== ''),
          }
        : {}),
      out: argv.out ?? `runs/reproduce-${argv.table}`,
      checkpointEverySteps: argv['checkpoint-every'],
      progress: progressBars(),
      log: (line) => process.stderr.write(`${line}\n`),
    });
    if (argv.json) {
      printJson({ out: outcome.out, rows: outcome.rows, results: outcome.results });
      return;
    }
    process.stdout.write(resultsMarkdown(outcome.results));
    console.log(`(written to ${outcome.out}/results.md and results.json)`);
  },
};

export default reproduce;
