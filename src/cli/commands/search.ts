import type { Argv, CommandModule } from 'yargs';
import type { BackendRequest } from '../../backend/select.js';
import { costModelFor } from '../../search/cost-model.js';
import { resumeSearch, runSearch, type SearchResult, type SearchRunOptions } from '../../search/search-run.js';
import { loadConfig } from '../../space/config-file.js';
import { UsageError } from '../../util/errors.js';
import { DEFAULT_CONFIG_FILE } from '../../space/config-file.js';
import { printJson, useBackend, withBackendOption, withJsonOption } from '../options.js';
import cliProgress from 'cli-progress';
import type { ProgressReporter } from '../../util/progress.js';
import { progressBars } from '../progress-bar.js';

interface SearchArgs {
  backend: BackendRequest;
  json: boolean;
  config?: string;
  set?: string[];
  out?: string;
  resume?: string;
  teacher?: string;
  candidates?: number;
  'target-latency-ms'?: number;
  'target-bops'?: number;
  'second-order': boolean;
  gumbel: boolean;
}


/**
 * The search shows two bars at once (the epoch's and the whole search's). On a terminal they share
 * one cli-progress MultiBar (two SingleBars would overwrite each other's line); elsewhere the
 * shared reporter prints a line per finished bar.
 */
function searchProgress(stream: NodeJS.WriteStream = process.stderr): ProgressReporter {
  if (!stream.isTTY) return progressBars(stream);
  const newMultiBar = () =>
    new cliProgress.MultiBar(
      { stream, format: '{label} [{bar}] {value}/{total} | ETA {eta_formatted} | {fields}', hideCursor: true, clearOnComplete: false, etaBuffer: 20 },
      cliProgress.Presets.shades_classic,
    );
  let multi = newMultiBar();
  let open = 0;
  const show = (fields: Record<string, string | number>) =>
    Object.entries(fields)
      .map(([k, v]) => `${k} ${typeof v === 'number' ? (Number.isInteger(v) ? v : v.toPrecision(4)) : v}`)
      .join('  ');
  return {
    start(label, total) {
      if (open === 0) multi = newMultiBar(); // a stopped MultiBar does not redraw again
      const bar = multi.create(total, 0, { label, fields: '' });
      open++;
      return {
        update: (done, fields) => bar.update(done, { label, fields: fields ? show(fields) : '' }),
        stop: () => {
          bar.stop();
          if (--open === 0) multi.stop();
        },
      };
    },
  };
}

function defaultOutDir(name: string): string {
  return `runs/search-${name.replace(/[^a-zA-Z0-9.-]+/g, '_')}-${new Date().toISOString().replace(/[:.]/g, '-')}`;
}

/** The command-line shortcuts, as `--set` overrides (validated with the config, errors name the flag). */
function shortcutOverrides(argv: SearchArgs): string[] {
  const sets: string[] = [];
  if (argv['target-latency-ms'] !== undefined && argv['target-bops'] !== undefined) throw new UsageError('--target-latency-ms and --target-bops: give one target');
  const target = argv['target-latency-ms'] ?? argv['target-bops'];
  if (target !== undefined) {
    if (!(target > 0)) throw new UsageError(`--target-${argv['target-bops'] !== undefined ? 'bops' : 'latency-ms'}: expected a number > 0, got ${target}`);
    sets.push(`cost.metric=${argv['target-bops'] !== undefined ? 'bops' : 'latency'}`, `cost.target=${target}`);
  }
  if (argv.candidates !== undefined) sets.push(`evaluation.candidates=${argv.candidates}`);
  if (argv['second-order']) sets.push('search.order=second');
  if (argv.gumbel) sets.push('search.gumbel.enabled=true');
  return sets;
}

function report(r: SearchResult, json: boolean): void {
  if (json) {
    printJson({ dir: r.dir, seconds: r.seconds, arch: r.arch, candidates: r.candidates.map((c) => ({ rank: c.rank, probability: c.probability, cost: c.cost, name: c.arch.name })), cost: r.log.cost, epochs: r.log.epochs.length, stoppedEarly: r.log.stoppedEarly ?? null, warnings: r.log.warnings });
    return;
  }
  const unit = r.log.cost.unit;
  for (const e of r.log.epochs) {
    const arch = e.archAccuracy !== undefined ? `  arch-val acc ${(e.archAccuracy * 100).toFixed(1)}%` : '';
    console.log(`epoch ${e.epoch}${e.warmup ? ' (warm-up)' : ''}: loss ${e.trainLoss.toFixed(4)}  train acc ${(e.trainAccuracy * 100).toFixed(1)}%${arch}  entropy ${e.entropy.toFixed(3)}  E[cost] ${e.expectedCost.toPrecision(4)} ${unit}  argmax ${e.argmaxCost.toPrecision(4)} ${unit}  (${e.seconds.toFixed(1)}s)`);
  }
  for (const c of r.candidates) {
    console.log(`candidate ${c.rank}: p ${c.probability.toPrecision(3)}  ${c.cost.toPrecision(4)} ${unit}  bases ${c.arch.bases.join(',')}  bits ${c.arch.bits.join(',')}  groups ${c.arch.groups.map((g) => `${g.start}-${g.end - 1}`).join(' ')}  connections ${c.arch.connections.join(',') || '-'}`);
  }
  console.log(`arch.json, candidates.json, search.json and alpha.svg in ${r.dir} (${r.seconds.toFixed(1)}s)`);
}

const search: CommandModule<object, SearchArgs> = {
  command: 'search',
  describe: 'DARTS supernet search over the Group-Net space: derives arch.json and the top candidates; resumable',
  builder: (y) =>
    withJsonOption(withBackendOption(y))
      .option('config', { type: 'string', describe: 'search configuration (default: configs/default.json)' })
      .option('set', { type: 'string', array: true, describe: 'override a config field, e.g. --set search.epochs=3 (repeatable)' })
      .option('out', { type: 'string', describe: 'run directory (default runs/search-<config>-<time>)' })
      .option('resume', { type: 'string', describe: 'continue the search in this run directory (its config.json is used)' })
      .option('teacher', { type: 'string', describe: 'distil from the teacher trained in this run directory (groupnas train --preset fp …)' })
      .option('candidates', { type: 'number', describe: 'how many distinct top architectures to derive (evaluation.candidates)' })
      .option('target-latency-ms', { type: 'number', describe: 'price by measured latency (LUT on this machine) and aim at this many ms' })
      .option('target-bops', { type: 'number', describe: 'price by BOPs and aim at this many' })
      .option('second-order', { type: 'boolean', default: false, describe: 'DARTS second-order α gradient (finite differences)' })
      .option('gumbel', { type: 'boolean', default: false, describe: 'GDAS: Gumbel-softmax hard samples with an annealed temperature' })
      .example('$0 search --config configs/tiny.json --out runs/tiny', 'a search in seconds')
      .example('$0 search --target-latency-ms 2 --candidates 5', 'the default space, priced by measured latency')
      .example('$0 search --resume runs/tiny', 'continue after a kill') as Argv<SearchArgs>,
  handler: async (argv) => {
    await useBackend(argv.backend);
    const progress = argv.json ? undefined : searchProgress();
    const log = (line: string) => process.stderr.write(`groupnas: ${line}\n`);
    const common: Omit<SearchRunOptions, 'out'> = {
      costModel: (layout, metric) => {
        if (metric === 'latency') log('pricing the space with the latency table (measured once per machine, then cached)');
        return costModelFor(layout, metric);
      },
      ...(argv.teacher !== undefined ? { teacherDir: argv.teacher } : {}),
      ...(progress ? { progress } : {}),
      log,
    };
    if (argv.resume !== undefined) {
      if (argv.config !== undefined || (argv.set ?? []).length > 0) throw new UsageError('--resume: the run continues with its own config.json; drop --config / --set');
      report(resumeSearch(argv.resume, common), argv.json);
      return;
    }
    const file = argv.config ?? DEFAULT_CONFIG_FILE;
    const config = loadConfig(file, [...(argv.set ?? []), ...shortcutOverrides(argv)]);
    report(runSearch(config, { ...common, out: argv.out ?? defaultOutDir(config.name ?? 'search') }), argv.json);
  },
};

export default search;
