/**
 * A search run as the dashboard shows it, read from the files the search writes atomically (no
 * second record): search.json (α, entropy, losses, E[cost] per epoch), candidates.json (how each
 * candidate was derived), evaluation/ and presets/ evaluation.json (measured accuracy, latency,
 * BOPs), arch.json (the chosen architecture once evaluated) and activity.json (running or not).
 * The α series and Pareto points are shaped by the same functions as alpha.svg and pareto.svg.
 * Each file is read on its own: a damaged one becomes a problem of the run, the rest still shows.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import {
  alphaSeriesOf,
  EVALUATION_FILE,
  paretoPanelPoints,
  pathFromRun,
  readCandidatesFile,
  readEvaluation,
  readSearchConfig,
  readSearchLog,
  SEARCH_FILES,
  searchFile,
  searchParetoPoints,
  type AlphaSeries,
  type CandidateRecord,
  type PanelPoints,
  type ParetoPoint,
  type SearchCandidate,
  type SearchLog,
} from '../search/index.js';
import type { Arch } from '../space/arch.js';
import { trainingSeconds } from '../train/index.js';
import { describeArch, loadArch } from '../space/index.js';
import { archSvg } from './arch-svg.js';
import { ProblemList, readRunFile } from './run-files.js';
import { activityOf, best, runStatus, writtenAt, type RunSummary } from './run-summary.js';

export const SEARCH_CONFIG_FILE = SEARCH_FILES.config;

/** One epoch of the supernet, the numbers the charts plot. */
export interface SearchEpoch {
  epoch: number;
  warmup: boolean;
  trainLoss: number;
  trainAccuracy: number;
  archLoss?: number;
  archAccuracy?: number;
  entropy: number;
  expectedCost: number;
  argmaxCost: number;
  seconds: number;
}

/** A row of the candidates (or presets) table. */
export interface CandidateRow {
  index: number;
  name: string;
  status: CandidateRecord['status'];
  derivation?: string;
  probability?: number;
  testAccuracy?: number;
  latencyMs?: number;
  latencyEngine?: string;
  predictedLatencyMs?: number;
  bops?: number;
  params?: number;
  memoryBytes?: number;
  /** Training time over every session that trained the candidate. */
  trainSeconds?: number;
  reason?: string;
  /** The candidate's packed model, relative to the run directory. */
  model?: string;
  /** The architecture drawn (arch-svg.ts), for hover and the table. */
  svg: string;
  summary: string;
}

export interface SearchView {
  kind: 'search';
  summary: RunSummary;
  config?: {
    template: string;
    backbone: string;
    epochs: number;
    warmupEpochs: number;
    candidates: number;
    data: string;
    seed: number;
  };
  cost?: SearchLog['cost'];
  epochs: SearchEpoch[];
  alpha: AlphaSeries[];
  candidates: CandidateRow[];
  presets: CandidateRow[];
  pareto: { points: ParetoPoint[]; latency: PanelPoints; bops: PanelPoints };
  chosen?: { index?: number; name: string; svg: string; evaluated: boolean; model?: string };
  /** The teacher's run id, when it lies under the runs directory. */
  teacher?: string;
  warnings: string[];
}

function candidateRows(
  records: readonly CandidateRecord[],
  evaluationDir: string,
  runDir: string,
  derivations: readonly SearchCandidate[] = [],
): CandidateRow[] {
  return records.map((c) => {
    const r = c.result;
    const d = derivations[c.index];
    const model = r ? join(evaluationDir, r.modelFile) : undefined;
    return {
      index: c.index,
      name: c.arch.name ?? `candidate ${c.index}`,
      status: c.status,
      ...(d ? { derivation: d.derivation, probability: d.probability } : {}),
      ...(r
        ? {
            testAccuracy: r.testAccuracy,
            bops: r.costs.bops,
            params: r.costs.params,
            memoryBytes: r.costs.memoryBytes,
            trainSeconds: trainingSeconds(r.history),
          }
        : {}),
      ...(c.latency ? { latencyMs: c.latency.medianMs, latencyEngine: c.latency.engine } : {}),
      ...(c.arch.metrics?.predictedLatencyMs !== undefined ? { predictedLatencyMs: c.arch.metrics.predictedLatencyMs } : {}),
      ...(c.reason !== undefined ? { reason: c.reason } : {}),
      ...(model !== undefined && existsSync(model) ? { model: relative(runDir, model).split(sep).join('/') } : {}),
      svg: archSvg(c.arch),
      summary: describeArch(c.arch),
    };
  });
}

function epochRow(e: SearchLog['epochs'][number]): SearchEpoch {
  return {
    epoch: e.epoch,
    warmup: e.warmup,
    trainLoss: e.trainLoss,
    trainAccuracy: e.trainAccuracy,
    ...(e.archLoss !== undefined ? { archLoss: e.archLoss } : {}),
    ...(e.archAccuracy !== undefined ? { archAccuracy: e.archAccuracy } : {}),
    entropy: e.entropy,
    expectedCost: e.expectedCost,
    argmaxCost: e.argmaxCost,
    seconds: e.seconds,
  };
}

/** The search run in `dir` (id `id` under `root`), read now. */
export function searchView(dir: string, id: string, root: string): SearchView {
  const problems = new ProblemList(dir);
  // Each file through its search reader, under the size limit and cached while unchanged.
  const read = <T>(file: string, reader: () => T) => problems.attempt(file, () => readRunFile(file, reader));
  const evaluationDir = searchFile(dir, 'evaluation');
  const presetsDir = searchFile(dir, 'presets');
  const config = read(searchFile(dir, 'config'), () => readSearchConfig(dir));
  const log = read(searchFile(dir, 'log'), () => readSearchLog(dir));
  const derivations = read(searchFile(dir, 'candidates'), () => readCandidatesFile(dir))?.candidates;
  const evaluation = read(join(evaluationDir, EVALUATION_FILE), () => readEvaluation(join(evaluationDir, EVALUATION_FILE)));
  const presets = read(join(presetsDir, EVALUATION_FILE), () => readEvaluation(join(presetsDir, EVALUATION_FILE)));
  const arch = read(searchFile(dir, 'arch'), () => loadArch(searchFile(dir, 'arch')));
  const activity = activityOf(dir, problems);

  const candidates = candidateRows(evaluation?.candidates ?? [], evaluationDir, dir, derivations);
  const presetRows = candidateRows(presets?.candidates ?? [], presetsDir, dir);
  // arch.json is the chosen candidate (with its measured accuracy) once the evaluation chose one.
  const evaluated = arch?.metrics?.accuracy !== undefined;
  const chosenIndex = evaluated ? evaluation?.candidates.find((c) => c.status === 'done' && c.arch.name === arch!.name)?.index : undefined;
  const points = searchParetoPoints(evaluation?.candidates ?? [], presets?.candidates ?? [], chosenIndex);

  const reportDone = existsSync(searchFile(dir, 'report'));
  const unusable = reportDone && !existsSync(searchFile(dir, 'model')) ? 'no candidate finished its evaluation' : undefined;
  const status = runStatus(activity, reportDone, unusable);
  const total = config?.search.epochs;
  const doneCandidates = candidates.filter((c) => c.status === 'done').length;
  const progress = [
    `${log?.epochs.length ?? 0}${total !== undefined ? `/${total}` : ''} epochs`,
    ...(evaluation ? [`${doneCandidates}/${candidates.length} candidates`] : []),
  ].join(', ');
  const chosenRow = chosenIndex !== undefined ? candidates[chosenIndex] : undefined;
  // The run's own teacher/, or the teacher run search.json names (relative to the run directory).
  const teacherDir = existsSync(join(dir, 'teacher', 'run.json'))
    ? join(dir, 'teacher')
    : log?.teacher !== undefined
      ? pathFromRun(dir, log.teacher)
      : undefined;
  const teacherId = teacherDir !== undefined ? relative(root, teacherDir) : undefined;

  const summary: RunSummary = {
    id,
    kind: 'search',
    name: config?.name ?? id,
    ...status,
    ...(best(candidates.map((c) => c.testAccuracy)) !== undefined ? { bestAccuracy: best(candidates.map((c) => c.testAccuracy))! } : {}),
    ...(chosenRow?.latencyMs !== undefined ? { chosenLatencyMs: chosenRow.latencyMs } : {}),
    ...((activity?.startedAt ?? writtenAt(join(dir, SEARCH_CONFIG_FILE)))
      ? { startedAt: activity?.startedAt ?? writtenAt(join(dir, SEARCH_CONFIG_FILE))! }
      : {}),
    progress,
    problems: problems.problems,
  };
  return {
    kind: 'search',
    summary,
    ...(config
      ? {
          config: {
            template: config.space.template,
            backbone: `${config.backbone.name} ×${config.backbone.widthMultiplier}`,
            epochs: config.search.epochs,
            warmupEpochs: config.search.warmupEpochs,
            candidates: config.evaluation.candidates,
            data: config.data.dataset,
            seed: config.seed,
          },
        }
      : {}),
    ...(log ? { cost: log.cost } : {}),
    epochs: (log?.epochs ?? []).map(epochRow),
    alpha: log ? alphaSeriesOf(log) : [],
    candidates,
    presets: presetRows,
    pareto: {
      points,
      latency: paretoPanelPoints(points, 'latency', (p) => p.latencyMs),
      bops: paretoPanelPoints(points, 'BOPs', (p) => p.bops),
    },
    ...(arch
      ? {
          chosen: {
            ...(chosenIndex !== undefined ? { index: chosenIndex } : {}),
            name: arch.name ?? 'arch',
            svg: archSvg(arch, `${arch.name ?? 'arch'} — ${describeArch(arch)}`),
            evaluated,
            ...(existsSync(searchFile(dir, 'model')) ? { model: 'model.gnb' } : {}),
          },
        }
      : {}),
    ...(teacherId !== undefined && !teacherId.startsWith('..') && !isAbsolute(teacherId) && existsSync(join(root, teacherId, 'run.json'))
      ? { teacher: teacherId.split(sep).join('/') }
      : {}),
    warnings: log?.warnings ?? [],
  };
}
