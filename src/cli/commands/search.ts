import type { Argv, CommandModule } from 'yargs';
import { costModelFor } from '../../search/cost-model.js';
import { calibrationOnSpace } from '../../search/space-calibration.js';
import { spaceFromConfig } from '../../space/config-space.js';
import { EvaluationInterrupted, type CandidateRecord } from '../../search/evaluate/index.js';
import { readSearchConfig, type SearchCandidate } from '../../search/search-directory.js';
import type { EvaluationStageResult } from '../../search/search-evaluation.js';
import { costModelPricedNow, type SearchResult } from '../../search/search-run.js';
import { searchPipeline } from '../../search/search-pipeline.js';
import type { SearchConfig } from '../../space/config.js';
import { UsageError } from '../../util/errors.js';
import { bundledConfigNames, DEFAULT_CONFIG_FILE, loadConfig } from '../../space/config-file.js';
import { checkNumber, namingRunFlags, printJson, useBackend, withBackendOption, withJsonOption, type BackendArgs } from '../options.js';
import cliProgress from 'cli-progress';
import type { ProgressReporter } from '../../util/progress.js';
import { progressBars } from '../progress-bar.js';
import { checkRedisReachable, parseRedisUrl, startQueueEvaluation, type RedisAddress } from '../../queue/index.js';

interface SearchArgs extends BackendArgs {
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
  evaluate: boolean;
  workers?: number;
  'task-timeout'?: number;
  'compare-presets': boolean;
  'list-configs': boolean;
  strategy?: 'supernet' | 'random' | 'evolution';
  samples?: number;
  queue?: string;
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
  if (argv['target-latency-ms'] !== undefined && argv['target-bops'] !== undefined)
    throw new UsageError('--target-latency-ms and --target-bops: give one target');
  const target = argv['target-latency-ms'] ?? argv['target-bops'];
  if (target !== undefined) {
    if (!(target > 0)) throw new UsageError(`--target-${argv['target-bops'] !== undefined ? 'bops' : 'latency-ms'}: expected a number > 0, got ${target}`);
    sets.push(`cost.metric=${argv['target-bops'] !== undefined ? 'bops' : 'latency'}`, `cost.target=${target}`);
  }
  if (argv.candidates !== undefined) sets.push(`evaluation.candidates=${argv.candidates}`);
  if (argv.strategy !== undefined) sets.push(`search.strategy=${argv.strategy}`);
  if (argv.samples !== undefined) sets.push(`search.samples=${argv.samples}`);
  if (argv['second-order']) sets.push('search.order=second');
  if (argv.gumbel) sets.push('search.gumbel.enabled=true');
  return sets;
}

function recordsJson(records: readonly CandidateRecord[]): unknown[] {
  return records.map((c) => ({
    index: c.index,
    name: c.arch.name,
    status: c.status,
    ...(c.result ? { testAccuracy: c.result.testAccuracy, bops: c.result.costs.bops, memoryBytes: c.result.costs.memoryBytes } : {}),
    ...(c.latency ? { latencyMs: c.latency.medianMs } : {}),
    ...(c.reason !== undefined ? { reason: c.reason } : {}),
  }));
}

function evaluationJson(e: EvaluationStageResult | undefined): unknown {
  if (e === undefined) return null;
  return {
    dir: e.outcome.file,
    chosen: e.chosen ?? null,
    latencyFront: e.latencyFront,
    bopsFront: e.bopsFront,
    seconds: e.seconds,
    candidates: recordsJson(e.outcome.record.candidates),
    presets: e.presets ? recordsJson(e.presets.record.candidates) : null,
    dominatingPresets: e.dominatingPresets,
  };
}

/**
 * The one number a candidate goes by everywhere — console, progress bars, report.md, evaluation/:
 * its 0-based place in candidates.json (0 = the chosen one, `<config>/candidate-N` = N); `rank` is 1-based.
 */
function candidateIndex(c: SearchCandidate): number {
  return c.rank - 1;
}

function report(r: SearchResult, json: boolean, evaluation?: EvaluationStageResult): void {
  if (json) {
    printJson({
      dir: r.dir,
      seconds: r.seconds,
      arch: r.arch,
      candidates: r.candidates.map((c) => ({ index: candidateIndex(c), rank: c.rank, probability: c.probability, cost: c.cost, name: c.arch.name })),
      cost: r.log.cost,
      epochs: r.log.epochs.length,
      stoppedEarly: r.log.stoppedEarly ?? null,
      warnings: r.log.warnings,
      evaluation: evaluationJson(evaluation),
    });
    return;
  }
  const unit = r.log.cost.unit;
  for (const e of r.log.epochs) {
    const arch = e.archAccuracy !== undefined ? `  arch-val acc ${(e.archAccuracy * 100).toFixed(1)}%` : '';
    console.log(
      `epoch ${e.epoch}${e.warmup ? ' (warm-up)' : ''}: loss ${e.trainLoss.toFixed(4)}  train acc ${(e.trainAccuracy * 100).toFixed(1)}%${arch}  ` +
        `entropy ${e.entropy.toFixed(3)}  E[cost] ${e.expectedCost.toPrecision(4)} ${unit}  argmax ${e.argmaxCost.toPrecision(4)} ${unit}  ` +
        `(${e.seconds.toFixed(1)}s)`,
    );
  }
  for (const c of r.candidates) {
    console.log(
      `candidate ${candidateIndex(c)}: p ${c.probability.toPrecision(3)}  ${c.cost.toPrecision(4)} ${unit}  bases ${c.arch.bases.join(',')}  bits ` +
        `${c.arch.bits.join(',')}  groups ${c.arch.groups.map((g) => `${g.start}-${g.end - 1}`).join(' ')}  connections ${c.arch.connections.join(',') || '-'}`,
    );
  }
  if (!r.finished) {
    console.log(`search stopped before its last epoch; continue it with --resume ${r.dir}`);
    return;
  }
  if (evaluation === undefined) {
    console.log(`arch.json, candidates.json, search.json and alpha.svg in ${r.dir} (${r.seconds.toFixed(1)}s)`);
    return;
  }
  for (const c of evaluation.outcome.record.candidates) {
    const res = c.result;
    const measured = res
      ? `test acc ${(res.testAccuracy * 100).toFixed(2)}%  ${c.latency ? `${c.latency.medianMs.toPrecision(3)} ms` : 'latency –'}  ` +
        `${res.costs.bops.toPrecision(4)} BOPs`
      : `failed: ${c.reason ?? ''}`;
    console.log(`evaluated ${c.index}${c.index === evaluation.chosen ? ' (chosen)' : ''}: ${measured}`);
  }
  for (const c of evaluation.presets?.record.candidates ?? []) {
    const res = c.result;
    const measured = res
      ? `test acc ${(res.testAccuracy * 100).toFixed(2)}%  ${c.latency ? `${c.latency.medianMs.toPrecision(3)} ms` : 'latency –'}  ` +
        `${res.costs.bops.toPrecision(4)} BOPs`
      : `failed: ${c.reason ?? ''}`;
    console.log(`preset ${c.arch.name}: ${measured}`);
  }
  console.log(
    `report.md, arch.json${evaluation.chosen !== undefined ? ', model.gnb' : ''}, pareto.svg, evaluation/ in ${r.dir} (search ` +
      `${r.seconds.toFixed(1)}s, evaluation ${evaluation.seconds.toFixed(1)}s)`,
  );
}

/** The queue the candidates go to: `--queue`, else the config's `evaluation.queue`; undefined for this host's threads. */
function queueOption(argv: SearchArgs, config: SearchConfig): { url: string; source: string; address: RedisAddress } | undefined {
  const [url, source] = argv.queue !== undefined ? [argv.queue, '--queue'] : [config.evaluation.queue, 'evaluation.queue'];
  if (url === undefined) return undefined;
  if (argv.workers !== undefined) throw new UsageError(`--workers: the queue's workers are \`groupnas worker\` processes (${source}); drop --workers`);
  return { url, source, address: parseRedisUrl(url, source) };
}

/** `--list-configs`: each bundled config with what it searches, on which data, at what budget. */
function listConfigs(json: boolean): void {
  const rows = bundledConfigNames().map((name) => {
    const c = loadConfig(name);
    return {
      name,
      data: c.data.dataset,
      trainImages: c.data.trainLimit,
      template: c.space.template,
      decisions: c.space.decisions.map((d) => d.type),
      searchEpochs: c.search.epochs,
      candidates: c.evaluation.candidates,
      candidateEpochs: c.evaluation.epochs,
    };
  });
  if (json) {
    printJson(rows);
    return;
  }
  const width = Math.max(...rows.map((r) => r.name.length));
  for (const r of rows) {
    console.log(
      `${r.name.padEnd(width)}  data ${r.data}${r.trainImages > 0 ? ` (${r.trainImages} training images)` : ''}, ${r.template} with ` +
        `${r.decisions.join(' + ')}, ${r.searchEpochs} supernet epochs, ${r.candidates} candidates × ${r.candidateEpochs} epochs`,
    );
  }
  console.log('use one with: groupnas search --config NAME');
}

const search: CommandModule<object, SearchArgs> = {
  command: 'search',
  describe: 'the whole search: teacher → DARTS supernet → candidates → evaluation in a worker pool → arch.json, model.gnb, pareto.svg, report.md; resumable',
  builder: (y) =>
    withJsonOption(withBackendOption(y))
      .option('config', {
        type: 'string',
        describe: 'search configuration: a JSON file, or the name of a bundled one (see --list-configs; default: default)',
      })
      .option('list-configs', { type: 'boolean', default: false, describe: 'list the bundled configurations and exit' })
      .option('set', { type: 'string', array: true, describe: 'override a config field, e.g. --set search.epochs=3 (repeatable)' })
      .option('out', { type: 'string', describe: 'run directory (default runs/search-<config>-<time>)' })
      .option('resume', { type: 'string', describe: 'continue the search in this run directory (its config.json is used)' })
      .option('teacher', { type: 'string', describe: 'distil from the teacher trained in this run directory (groupnas train --preset fp …)' })
      .option('candidates', { type: 'number', describe: 'how many distinct top architectures to derive (evaluation.candidates)' })
      .option('strategy', {
        choices: ['supernet', 'random', 'evolution'] as const,
        describe:
          'supernet: the DARTS search; random: the baseline — uniform samples of the same space within ±10% of the same cost target, ' +
          'trained and timed by the same evaluator; evolution: regularized evolution from such samples, each child one decision away ' +
          'from the best of a tournament (search.population, search.tournament), trained on the evaluation workers as it goes (search.strategy)',
      })
      .option('samples', {
        type: 'number',
        describe: "architectures a random or evolution search trains (search.samples; default: as many as the supernet search's budget pays for)",
      })
      .option('target-latency-ms', { type: 'number', describe: 'price by measured latency (LUT on this machine) and aim at this many ms' })
      .option('target-bops', { type: 'number', describe: 'price by BOPs and aim at this many' })
      .option('second-order', { type: 'boolean', default: false, describe: 'DARTS second-order α gradient (finite differences)' })
      .option('gumbel', { type: 'boolean', default: false, describe: 'GDAS: Gumbel-softmax hard samples with an annealed temperature' })
      .option('evaluate', {
        type: 'boolean',
        default: true,
        describe: 'train, test, pack and time the candidates after the supernet (--no-evaluate: stop after the derivation)',
      })
      .option('workers', { type: 'number', describe: 'worker threads evaluating candidates (default: evaluation.workers of the config)' })
      .option('compare-presets', {
        type: 'boolean',
        default: false,
        describe:
          'also evaluate groupnet-k1/k3/k5 the same way (into presets/) and compare them in pareto.svg and report.md; they start training on the core ' +
          'the supernet leaves idle',
      })
      .option('queue', {
        type: 'string',
        describe:
          'evaluate the candidates on `groupnas worker` processes through this Redis: redis://[:password@]host:port[/db] or rediss:// ' +
          '(default: evaluation.queue of the config; without either, worker threads on this host)',
      })
      .option('task-timeout', { type: 'number', describe: "stop a candidate's training after this many seconds (retried once, then recorded as failed)" })
      .example('$0 search --config tiny --out runs/tiny', 'a search in a few minutes (bundled config `tiny`)')
      .example('$0 search --target-latency-ms 2 --candidates 5', 'the default space, priced by measured latency')
      .example('$0 search --resume runs/tiny', 'continue after a kill')
      .example('$0 search --strategy random --out runs/random', "the random-search baseline at the supernet search's budget")
      .example('$0 search --strategy evolution --samples 20 --out runs/evolution', 'regularized evolution training 20 architectures')
      .example(
        '$0 search --config tiny --queue redis://head:6379',
        'candidates trained by `groupnas worker --queue redis://head:6379` on any host',
      ) as Argv<SearchArgs>,
  handler: async (argv) => {
    if (argv['list-configs']) {
      listConfigs(argv.json);
      return;
    }
    checkNumber('workers', argv.workers, { integer: true, min: 1 });
    checkNumber('task-timeout', argv['task-timeout'], { above: 0 });
    checkNumber('candidates', argv.candidates, { integer: true, min: 1 });
    checkNumber('samples', argv.samples, { integer: true, min: 1 });
    if (argv.resume !== undefined && (argv.config !== undefined || (argv.set ?? []).length > 0)) {
      throw new UsageError('--resume: the run continues with its own config.json; drop --config / --set');
    }
    // The config is checked before the backend loads: a mistake costs no start-up.
    let config: SearchConfig;
    try {
      config =
        argv.resume !== undefined
          ? readSearchConfig(argv.resume)
          : loadConfig(argv.config ?? DEFAULT_CONFIG_FILE, [...(argv.set ?? []), ...shortcutOverrides(argv)]);
    } catch (err) {
      throw namingRunFlags(err, 'search');
    }
    const queue = queueOption(argv, config);
    if (queue !== undefined) await checkRedisReachable(queue.address);
    await useBackend(argv);
    // Progress goes to stderr with or without --json (bars on a terminal, a line per task otherwise).
    const progress = searchProgress();
    const log = (line: string) => process.stderr.write(`groupnas: ${line}\n`);
    // From the supernet's start on, Ctrl-C stops the running phase cleanly: finished epochs and
    // candidates are kept, --resume continues. Before it (the teacher trains without yielding to
    // the event loop) Ctrl-C kills as usual; the teacher resumes from its own checkpoint.
    const abort = new AbortController();
    const onSigint = () => {
      log('interrupted: stopping (finished epochs and candidates are kept)');
      abort.abort();
    };
    const dir = argv.resume ?? argv.out ?? defaultOutDir(config.name ?? 'search');
    try {
      const { search, evaluation } = await searchPipeline(argv.resume !== undefined ? { resume: argv.resume } : { config, out: dir }, {
        costModel: costModelPricedNow(config, (layout, metric) => {
          if (metric === 'latency') log('pricing the space with the latency table (measured once per machine, then cached)');
          return costModelFor(layout, metric, {
            warn: log,
            calibrate: calibrationOnSpace(spaceFromConfig(config), {
              seed: config.seed,
              onCalibrated: (c, measuredNow) =>
                log(
                  `latency table calibrated on ${c.models.length} whole models of the space: entries × ${c.factor.toFixed(3)}${measuredNow ? '' : ' (cached)'}`,
                ),
            }),
          });
        }),
        ...(argv.teacher !== undefined ? { teacherDir: argv.teacher } : {}),
        progress,
        log,
        signal: abort.signal,
        onSupernetStart: () => process.once('SIGINT', onSigint),
        evaluate: argv.evaluate,
        ...(argv.workers !== undefined ? { workers: argv.workers } : {}),
        // The workers train with the kernels asked for here; --threads is this thread's, they share the cores.
        evaluationKernels: { kernels: argv.kernels },
        ...(queue !== undefined
          ? {
              startRunner: ({ dir }: { dir: string }) => {
                const runner = startQueueEvaluation({ queue: queue.url, source: queue.source, dir, log });
                log(`evaluation: candidates go to ${runner.describe()}; start workers with: groupnas worker --queue <this Redis URL>`);
                return runner;
              },
            }
          : {}),
        ...(argv['task-timeout'] !== undefined ? { taskTimeoutMs: Math.round(argv['task-timeout'] * 1000) } : {}),
        comparePresets: argv['compare-presets'],
      });
      report(search, argv.json, evaluation);
      // Worker threads live in this process: the figure covers the supernet and the evaluation pool.
      log(`peak memory: ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB resident (this process with its evaluation workers)`);
      if (abort.signal.aborted && !search.finished) process.exitCode = 130;
    } catch (err) {
      if (err instanceof EvaluationInterrupted) {
        log(`${err.message}; continue with: groupnas search --resume ${dir}`);
        process.exitCode = 130;
        return;
      }
      throw namingRunFlags(err, 'search');
    } finally {
      process.off('SIGINT', onSigint);
    }
  },
};

export default search;
