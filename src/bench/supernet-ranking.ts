/**
 * `groupnas bench supernet-ranking`: is the trained supernet informative? A weight-sharing search
 * is only as good as the order in which its shared weights rank architectures. For `archs`
 * architectures drawn uniformly from the run's space (one seed), compare
 *
 *   supernet accuracy    the supernet with one-hot α: `buildModel(arch)` given the supernet's weights
 *                        (`Supernet.derivedStateDict`, the same function by construction), its
 *                        BatchNorm statistics recalibrated on training images (the supernet's were
 *                        gathered under the mixed architecture), tested on the run's test split
 *   stand-alone accuracy the architecture trained from scratch by the search's own evaluator, with
 *                        the candidates' schedule (evaluate/: a worker pool, resumable)
 *
 * and report Kendall's τ-b and Spearman's ρ between the two (rank-correlation.ts). Everything is
 * written to `<out>/ranking.json` and `<out>/standalone/`; a rerun resumes the trainings.
 *
 * At a real budget the stand-alone trainings cost hours each, and the search's own evaluation has
 * already trained architectures of the space with the same schedule (candidates, presets, a random
 * search's samples): `trained` ranks those finished training runs instead of sampling and training.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { firstImages, loadDataset, tensorBatches, type Dataset, type ImageSet } from '../data/index.js';
import { buildModel, type GroupNetModel } from '../nn/group-net.js';
import { recalibrateBatchNorm } from '../nn/recalibrate-bn.js';
import { evaluateCandidates, evaluationTrainingOptions } from '../search/evaluate/index.js';
import { readSearchConfig, readSearchLog, searchFile, searchTeacherDir } from '../search/search-directory.js';
import { searchSplits } from '../search/search-run.js';
import { Supernet } from '../search/supernet.js';
import { supernetLayout } from '../search/supernet-layout.js';
import type { Arch } from '../space/arch.js';
import { canonicalKey } from '../space/canonical-arch.js';
import { spaceFromConfig } from '../space/config-space.js';
import type { SearchConfig } from '../space/config.js';
import { loadCheckpoint, tensorsUnder } from '../train/checkpoint.js';
import { readRunRecord, readRunResult, runFile } from '../train/run-directory.js';
import { writeJsonAtomic } from '../util/atomic-write.js';
import { RunDirectoryError, UsageError } from '../util/errors.js';
import { silentProgress, type ProgressReporter } from '../util/progress.js';
import * as tf from '../util/tfjs.js';
import { sampleDistinctArchs } from '../space/distinct-sample.js';
import { kendallTau, spearmanRho } from './rank-correlation.js';

/** Training images whose batches re-estimate an inherited model's BatchNorm statistics (as training-run.ts' recalibration). */
export const RANKING_RECALIBRATION_IMAGES = 2000;

export interface SupernetRankingOptions {
  /** A search run directory whose supernet finished (its checkpoint.gnck holds the weights). */
  run: string;
  /** Where ranking.json and the stand-alone trainings go (default `<run>/ranking`). */
  out?: string;
  /** Architectures sampled (default 15); not with `trained`. */
  archs?: number;
  /** Seed of the sample (default: the run's); not with `trained`. */
  seed?: number;
  /** Train the architectures stand-alone (default true); without it only the supernet's accuracies are reported. */
  standAlone?: boolean;
  /** Worker threads of the stand-alone trainings (default: the run's evaluation.workers). */
  workers?: number;
  /**
   * Finished training runs (run.json, result.json) of architectures in the run's space, trained with
   * the candidates' schedule: ranked instead of a sample, their test accuracies as the stand-alone ones.
   */
  trained?: readonly string[];
  progress?: ProgressReporter;
  signal?: AbortSignal;
  log?: (line: string) => void;
}

export interface RankedArch {
  /** The sampled architecture's name, or the training run's directory when given as `trained`. */
  name: string;
  bases: number[];
  bits: number[];
  /** Test accuracy of the supernet restricted to this architecture (inherited weights, BN recalibrated). */
  supernetAccuracy: number;
  /** Test accuracy trained from scratch with the candidates' schedule; absent until trained. */
  standAloneAccuracy?: number;
}

export interface SupernetRankingReport {
  run: string;
  out: string;
  /** Seed of the sample; absent when the architectures were given as trained runs. */
  seed?: number;
  /** The run's supernet epochs and training images: the budget whose ranking this is. */
  supernetEpochs: number;
  trainImages: number;
  candidateEpochs: number;
  archs: RankedArch[];
  /** Over the architectures with both accuracies; absent with fewer than two. */
  kendallTau?: number;
  spearmanRho?: number;
  seconds: number;
}

/** Test accuracy of a model in inference mode. */
function accuracyOn(model: GroupNetModel, set: ImageSet, dataset: Dataset): number {
  let correct = 0;
  for (const batch of tensorBatches(set, { batchSize: 256, seed: 0, shuffle: false, stats: dataset.stats }, 0)) {
    try {
      correct += tf.tidy(() => tf.sum(tf.cast(tf.equal(tf.argMax(model.forward(batch.x, false), 1), tf.cast(batch.y, 'int32')), 'int32')).dataSync()[0]!);
    } finally {
      tf.dispose([batch.x, batch.y]);
    }
  }
  return set.count > 0 ? correct / set.count : Number.NaN;
}

/** The supernet's test accuracy for each architecture: inherited weights, BN recalibrated on training images. */
function supernetAccuracies(config: SearchConfig, run: string, archs: readonly Arch[], progress: ProgressReporter): number[] {
  const space = spaceFromConfig(config);
  const supernet = new Supernet(supernetLayout(space), { seed: config.seed });
  const dataset = loadDataset({ data: config.data.dataset });
  const splits = searchSplits(config, dataset);
  const file = searchFile(run, 'checkpoint');
  const { tensors } = loadCheckpoint(file);
  try {
    supernet.loadStateDict(tensorsUnder(tensors, 'supernet'), file);
  } finally {
    tf.dispose(Object.values(tensors));
  }
  const calibration = firstImages(splits.train, Math.min(RANKING_RECALIBRATION_IMAGES, splits.train.count));
  const task = progress.start('supernet accuracy (one-hot α)', archs.length);
  try {
    return archs.map((arch, i) => {
      const model = buildModel(arch, { seed: config.seed });
      try {
        const state = supernet.derivedStateDict(arch);
        try {
          model.loadStateDict(state);
        } finally {
          tf.dispose(Object.values(state));
        }
        const batches = tensorBatches(calibration, { batchSize: config.search.batchSize, seed: 0, shuffle: false, stats: dataset.stats }, 0);
        recalibrateBatchNorm(
          model,
          (function* () {
            for (const b of batches) {
              yield b;
              tf.dispose([b.x, b.y]);
            }
          })(),
        );
        const accuracy = accuracyOn(model, splits.test, dataset);
        task.update(i + 1, { acc: `${(accuracy * 100).toFixed(1)}%` });
        return accuracy;
      } finally {
        model.dispose();
      }
    });
  } finally {
    task.stop();
    supernet.dispose();
  }
}

interface TrainedArch {
  arch: Arch;
  accuracy: number;
  dir: string;
}

/**
 * The architectures and test accuracies of finished training runs, each trained with `epochs`
 * epochs (another schedule would rank something else); a second run of an architecture already
 * given (in canonical form) is left out, so that no architecture counts twice.
 */
function readTrainedArchs(dirs: readonly string[], epochs: number, log: (line: string) => void): TrainedArch[] {
  const seen = new Map<string, string>();
  const out: TrainedArch[] = [];
  for (const dir of dirs) {
    const record = readRunRecord(dir);
    const result = readRunResult(dir);
    if (result === undefined) throw new RunDirectoryError(dir, 'missing', 'has not finished training (no result.json): it has no stand-alone accuracy yet');
    if (record.options.epochs !== epochs)
      throw new UsageError(
        `${runFile(dir, 'record')}: options.epochs: the run trained ${record.options.epochs} epochs, the search's candidates ${epochs}; ` +
          'a ranking compares architectures trained with one schedule',
      );
    const key = canonicalKey(record.arch);
    const first = seen.get(key);
    if (first !== undefined) {
      log(`${dir}: the same architecture as ${first}; counted once`);
      continue;
    }
    seen.set(key, dir);
    out.push({ arch: record.arch, accuracy: result.testAccuracy, dir });
  }
  return out;
}

export async function benchSupernetRanking(options: SupernetRankingOptions): Promise<SupernetRankingReport> {
  const started = performance.now();
  if (options.trained !== undefined && (options.archs !== undefined || options.seed !== undefined))
    throw new UsageError('trained: ranks the runs given; archs and seed choose a sample instead, give one or the other');
  const run = options.run;
  const config = readSearchConfig(run);
  if (!existsSync(searchFile(run, 'checkpoint')))
    throw new RunDirectoryError(run, 'missing', 'has no supernet checkpoint (checkpoint.gnck): run the search first');
  const out = options.out ?? join(run, 'ranking');
  const progress = options.progress ?? silentProgress;
  const log = options.log ?? (() => {});
  const trained = options.trained !== undefined ? readTrainedArchs(options.trained, config.evaluation.epochs, log) : undefined;
  if (trained !== undefined && trained.length < 2) throw new UsageError(`trained: expected runs of at least 2 different architectures, got ${trained.length}`);
  const count = options.archs ?? 15;
  if (trained === undefined && (!Number.isInteger(count) || count < 2)) throw new UsageError(`archs: expected an integer ≥ 2, got ${count}`);
  const seed = trained === undefined ? (options.seed ?? config.seed) : undefined;
  const archs =
    trained?.map((t) => t.arch) ??
    sampleDistinctArchs(spaceFromConfig(config), count, seed!).map((a, i) => ({ ...a, name: `${config.name ?? 'search'}/ranked-${i}` }));
  const supernet = supernetAccuracies(config, run, archs, progress);
  let standAlone: (number | undefined)[] = trained?.map((t) => t.accuracy) ?? archs.map(() => undefined);
  if (trained === undefined && options.standAlone !== false) {
    const recorded = readSearchLog(run)?.teacher;
    const teacher = recorded !== undefined ? searchTeacherDir(run, recorded) : undefined;
    const outcome = await evaluateCandidates(archs, {
      dir: join(out, 'standalone'),
      training: evaluationTrainingOptions(config, teacher),
      workers: options.workers ?? config.evaluation.workers,
      latency: false,
      label: 'stand-alone',
      progress,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.log ? { log: options.log } : {}),
    });
    standAlone = outcome.record.candidates.map((c) => (c.status === 'done' ? c.result!.testAccuracy : undefined));
  }
  const ranked = archs.map((a, i): RankedArch => ({
    name: trained?.[i]!.dir ?? a.name!,
    bases: [...a.bases],
    bits: [...a.bits],
    supernetAccuracy: supernet[i]!,
    ...(standAlone[i] !== undefined ? { standAloneAccuracy: standAlone[i] } : {}),
  }));
  const both = ranked.filter((r) => r.standAloneAccuracy !== undefined);
  const correlations =
    both.length >= 2
      ? {
          kendallTau: kendallTau(
            both.map((r) => r.supernetAccuracy),
            both.map((r) => r.standAloneAccuracy!),
          ),
          spearmanRho: spearmanRho(
            both.map((r) => r.supernetAccuracy),
            both.map((r) => r.standAloneAccuracy!),
          ),
        }
      : {};
  const report: SupernetRankingReport = {
    run,
    out,
    ...(seed !== undefined ? { seed } : {}),
    supernetEpochs: readSearchLog(run)?.epochs.length ?? 0,
    trainImages: searchSplits(config, loadDataset({ data: config.data.dataset })).train.count,
    candidateEpochs: config.evaluation.epochs,
    archs: ranked,
    ...correlations,
    seconds: (performance.now() - started) / 1000,
  };
  writeJsonAtomic(join(out, 'ranking.json'), report);
  return report;
}

const pct = (v: number | undefined) => (v === undefined ? '–' : `${(v * 100).toFixed(2)}%`);

export function formatSupernetRanking(r: SupernetRankingReport): string {
  const lines = [
    `supernet of ${r.run} (${r.supernetEpochs} epochs on ${r.trainImages} training images) against stand-alone training ` +
      `(${r.candidateEpochs} epochs each), ${r.archs.length} architectures ` +
      (r.seed !== undefined ? `from seed ${r.seed}` : 'of finished training runs'),
    `${'architecture'.padEnd(28)} ${'bases'.padEnd(14)} ${'bits'.padEnd(14)} ${'supernet'.padStart(9)} ${'stand-alone'.padStart(11)}`,
  ];
  for (const a of r.archs) {
    lines.push(
      `${a.name.padEnd(28)} ${a.bases.join(',').padEnd(14)} ${a.bits.join(',').padEnd(14)} ${pct(a.supernetAccuracy).padStart(9)} ` +
        `${pct(a.standAloneAccuracy).padStart(11)}`,
    );
  }
  lines.push(
    r.kendallTau === undefined
      ? 'no stand-alone accuracies yet: no rank correlation'
      : `Kendall τ ${r.kendallTau.toFixed(3)}, Spearman ρ ${r.spearmanRho!.toFixed(3)} (1 = the supernet orders them as training does)`,
    `written to ${join(r.out, 'ranking.json')} (${r.seconds.toFixed(0)} s)`,
  );
  return lines.join('\n');
}
