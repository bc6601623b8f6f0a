/**
 * `report.md` of a search run: what a person reads after `groupnas search` — the
 * configuration, the data, the time spent per phase, the α and Pareto plots, and the table of
 * evaluated candidates with measured and predicted costs and the reason of every failure.
 * Plain Markdown built from the run's own records; the plots are linked, not embedded.
 */
import type { SearchConfig } from '../space/config.js';
import { describeArch } from '../space/arch-description.js';
import { readRunResult, trainingSeconds } from '../train/run-directory.js';
import { FileFormatError } from '../util/errors.js';
import type { CandidateRecord, EvaluationOutcome, MeasuredLatency } from './evaluate/index.js';
import { pathFromRun, type SearchCandidate, type SearchLog } from './search-directory.js';

export interface ChosenArchitecture {
  /** Candidate index in evaluation.json. */
  index: number;
  /** Why it was chosen, in words. */
  rule: string;
}

export interface SearchReportInput {
  dir: string;
  config: SearchConfig;
  search: SearchLog;
  /** candidates.json, in evaluation order. */
  derived: readonly SearchCandidate[];
  evaluation: EvaluationOutcome;
  /** The hand-designed presets evaluated the same way (`--compare-presets`). */
  presets?: EvaluationOutcome;
  /** Indices of presets that beat the chosen candidate on both accuracy and measured latency. */
  dominatingPresets: readonly number[];
  chosen: ChosenArchitecture | undefined;
  latencyFront: readonly number[];
  bopsFront: readonly number[];
  /** Wall seconds of the evaluation call that wrote this report. */
  evaluationSeconds: number;
}

function seconds(s: number): string {
  return s >= 120 ? `${(s / 60).toFixed(1)} min` : `${s.toFixed(1)} s`;
}

/** 1.23k, 4.56M: BOPs and bytes span orders of magnitude. */
function count(v: number): string {
  const units: [number, string][] = [
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  for (const [size, suffix] of units) if (Math.abs(v) >= size) return `${(v / size).toPrecision(3)}${suffix}`;
  return String(Math.round(v));
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/**
 * The teacher's training time, from its run's result (absent when it was loaded from a run that has
 * none). A damaged result.json leaves it unknown, said so: the report of a finished search is not
 * worth failing over a time.
 */
function teacherTime(teacherDir: string | undefined): string | undefined {
  if (teacherDir === undefined) return undefined;
  try {
    const result = readRunResult(teacherDir);
    return result !== undefined ? seconds(trainingSeconds(result.epochs)) : undefined;
  } catch (err) {
    if (err instanceof FileFormatError) return cell(`unknown: ${err.message}`);
    throw err;
  }
}

/** What the candidates' score is: top-1 accuracy, or for a segmentation search the mIoU. */
export function scoreName(config: SearchConfig): string {
  return config.backbone.segmentation ? 'mIoU' : 'accuracy';
}

/** The report: one section after the other, each a list of Markdown lines. */
export function searchReport(input: SearchReportInput): string {
  return [
    `# Search report: ${input.config.name ?? 'search'}`,
    '',
    ...chosenSection(input),
    ...configurationSection(input),
    ...dataSection(input),
    ...timeSection(input),
    ...plotsSection(input.search, scoreName(input.config)),
    ...candidatesSection(input),
    ...presetsSection(input),
    'Per-candidate training runs, results and packed models are under [`evaluation/`](evaluation/evaluation.json); ' +
      'the derivation is in [`candidates.json`](candidates.json), the α history in [`search.json`](search.json).',
    '',
  ].join('\n');
}

/** The headline: which candidate was chosen and why, with what it measured. */
function chosenSection({ evaluation, chosen, config, search }: SearchReportInput): string[] {
  if (chosen === undefined) {
    const failed = evaluation.record.candidates.filter((c) => c.status === 'failed').map((c) => c.index);
    return [
      `**No architecture chosen**: candidate${failed.length === 1 ? '' : 's'} ${failed.join(', ')} failed its evaluation, and a choice among the others ` +
        'could pass over the best one. `arch.json` and `model.gnb` are left as they were; `groupnas search --resume` evaluates the failed ' +
        'candidates again.',
      '',
    ];
  }
  const c = evaluation.record.candidates[chosen.index]!;
  const r = c.result!;
  const accuracy = `test ${scoreName(config)} ${(r.testAccuracy * 100).toFixed(2)}%`;
  const latency = c.latency
    ? `, ${latencyCell(c.latency)} ms measured${c.latency.unreliable !== undefined ? ` (unreliable: ${c.latency.unreliable})` : ''}`
    : '';
  return [
    `**Chosen architecture:** candidate ${c.index} (${cell(c.arch.name ?? '')}) — ${chosen.rule}: ${accuracy}${latency}, ` +
      `${count(r.costs.bops)} BOPs, ${count(r.costs.memoryBytes)} bytes. ` +
      'Written as [`arch.json`](arch.json) and [`model.gnb`](model.gnb)' +
      (search.strategy === undefined ? "; the supernet's derivation is [`derived-arch.json`](derived-arch.json)." : '.'),
    '',
    `Structure: ${describeArch(c.arch)}.`,
    '',
  ];
}

function configurationSection({ config, search, evaluation }: SearchReportInput): string[] {
  const s = config.search;
  const d = config.distillation;
  const backbone = `backbone \`${config.backbone.name}\` ×${config.backbone.widthMultiplier}`;
  const archEvery = s.archEvery > 1 ? ` every ${s.archEvery} weight steps` : '';
  const distillation = search.teacher !== undefined ? `KD ${d.kd}, AT ${d.at}, T ${d.temperature} from \`${search.teacher}\`` : 'none';
  return [
    '## Configuration',
    '',
    `- space: \`${search.space}\` (${search.variables.length} decision variables), template \`${config.space.template}\`, ${backbone}`,
    `- seed ${config.seed}; cost: ${search.cost.objective} objective on ${search.cost.metric} (${search.cost.unit})${targetText(search.cost)}`,
    search.strategy === 'random'
      ? `- random search: ${evaluation.record.candidates.length} architectures drawn uniformly (${search.draws ?? '?'} draws), kept when predicted ` +
        `within ±10% of the target`
      : search.strategy === 'evolution'
        ? `- regularized evolution: ${evaluation.record.candidates.length} architectures (${search.draws ?? '?'} draws and mutations), population ` +
          `${search.evolution?.population ?? '?'}, tournament ${search.evolution?.tournament ?? '?'}, ${search.evolution?.generation ?? '?'} ` +
          `child(ren) a generation; every one predicted within ±10% of the target`
        : `- supernet search: ${s.epochs} epochs (${s.warmupEpochs} warm-up), batch ${s.batchSize}, ${s.order}-order α gradient${archEvery}` +
          `${s.gumbel.enabled ? ', Gumbel-softmax' : ''}${s.sandwich ? ', sandwich rule (the largest path trained at every step)' : ''}`,
    `- evaluation: ${evaluation.record.candidates.length} candidates × ${config.evaluation.epochs} epoch(s), ${evaluation.workers} worker(s), ` +
      `latency on the \`${config.evaluation.engine}\` engine`,
    `- distillation: ${distillation}`,
    '',
  ];
}

function dataSection({ config, evaluation, search }: SearchReportInput): string[] {
  const data = config.data;
  const testImages = evaluation.record.candidates.find((c) => c.status === 'done')?.result?.testImages;
  return [
    '## Data',
    '',
    `- dataset \`${data.dataset}\`; training images: ${data.trainLimit > 0 ? `first ${data.trainLimit}` : 'all'}` +
      // Only a supernet search holds images out (for its α steps); sampled searches train candidates only.
      (search.strategy === undefined ? ` (${(data.archValFraction * 100).toFixed(0)}% of them held out for the α steps during the search)` : '') +
      '; ' +
      `test images: ${testImages ?? (data.testLimit > 0 ? data.testLimit : 'all')}; augmentation ${data.augment ? 'on' : 'off'}`,
    '',
  ];
}

function timeSection({ dir, search, evaluation, presets, evaluationSeconds }: SearchReportInput): string[] {
  const lines = ['## Time per phase', '', '| phase | time |', '|---|---|'];
  const teacher = teacherTime(search.teacher !== undefined ? pathFromRun(dir, search.teacher) : undefined);
  if (teacher !== undefined) lines.push(`| teacher training | ${teacher} |`);
  if (presets) {
    const presetSum = presets.record.candidates.reduce((sum, c) => sum + (c.result ? trainingSeconds(c.result.history) : 0), 0);
    lines.push(`| preset training (sum over ${presets.record.candidates.length} presets) | ${seconds(presetSum)} |`);
  }
  const stoppedEarly = search.stoppedEarly ? `, stopped early at ${search.stoppedEarly.epoch}` : '';
  const searchSeconds = search.epochs.reduce((sum, e) => sum + e.seconds, 0);
  const trainSum = evaluation.record.candidates.reduce((sum, c) => sum + (c.status === 'done' ? trainingSeconds(c.result!.history) : 0), 0);
  const resumed = evaluation.skipped.length > 0 ? `; ${evaluation.skipped.length} resumed as done` : '';
  if (search.strategy === undefined) lines.push(`| supernet search (${search.epochs.length} epochs${stoppedEarly}) | ${seconds(searchSeconds)} |`);
  lines.push(
    `| candidate training (sum over candidates, ${evaluation.workers} worker(s)) | ${seconds(trainSum)} |`,
    `| evaluation wall time (this run${resumed}) | ${seconds(evaluationSeconds)} |`,
    `| latency measurement | ${seconds(evaluation.latencySeconds)} |`,
    '',
  );
  return lines;
}

function plotsSection(search: SearchLog, score: string): string[] {
  const alpha = search.strategy !== undefined ? [] : ['- [α probabilities per epoch](alpha.svg)', '', '![alpha](alpha.svg)', ''];
  return [
    '## Plots',
    '',
    ...alpha,
    `- [Pareto fronts: ${score} vs measured latency and vs BOPs](pareto.svg)`,
    '',
    '![pareto](pareto.svg)',
    '',
    ...search.warnings.flatMap((w) => [`> warning: ${w}`, '']),
  ];
}

const tableHeader = (score: string) => [
  `| # | name | derivation | α probability | status | test ${score} | measured latency (ms, rounds min–max) | predicted latency (ms) | BOPs | params | memory (bytes) | ` +
    'fronts | train time | notes |',
  '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
];

/** The measured latency with the range of its interleaved rounds, flagged when the machine was busy. */
function latencyCell(l: MeasuredLatency): string {
  const range = l.minMs !== undefined && l.maxMs !== undefined ? ` (${l.minMs.toPrecision(3)}–${l.maxMs.toPrecision(3)})` : '';
  return `${l.medianMs.toPrecision(3)}${range}${l.unreliable !== undefined ? ' ⚠' : ''}`;
}

/** One row of the candidates' (or presets') table. */
function tableRow(c: CandidateRecord, derivation: string, probability: string, fronts: string, extra: string[]): string {
  const r = c.result;
  const predicted = c.arch.metrics?.predictedLatencyMs;
  const retried =
    c.status === 'done' && c.failures.length > 0 ? `${c.failures.length} failed attempt(s) before: ${c.failures.map((f) => f.kind).join(', ')}` : '';
  const unreliable = c.latency?.unreliable !== undefined ? `latency unreliable: ${c.latency.unreliable}` : '';
  const notes = [...extra, c.status === 'failed' ? `failed: ${c.reason ?? ''}` : '', retried, unreliable].filter((n) => n !== '').join('; ');
  const cells = [
    String(c.index),
    cell(c.arch.name ?? ''),
    derivation,
    probability,
    c.status,
    r ? `${(r.testAccuracy * 100).toFixed(2)}%` : '–',
    c.latency ? latencyCell(c.latency) : '–',
    predicted !== undefined ? predicted.toPrecision(3) : '–',
    r ? count(r.costs.bops) : '–',
    r ? count(r.costs.params) : '–',
    r ? count(r.costs.memoryBytes) : '–',
    fronts || '–',
    r ? seconds(trainingSeconds(r.history)) : '–',
    cell(notes),
  ];
  return `| ${cells.join(' | ')} |`;
}

function candidatesSection({ evaluation, derived, latencyFront, bopsFront, chosen, config }: SearchReportInput): string[] {
  const score = scoreName(config);
  const rows = evaluation.record.candidates.map((c) => {
    const d = derived[c.index];
    const fronts = [latencyFront.includes(c.index) ? 'latency' : '', bopsFront.includes(c.index) ? 'BOPs' : ''].filter((f) => f !== '').join(', ');
    return tableRow(c, d?.derivation ?? '', d ? d.probability.toPrecision(3) : '', fronts, [c.index === chosen?.index ? '**chosen**' : '']);
  });
  return [
    '## Candidates',
    '',
    ...tableHeader(score),
    ...rows,
    '',
    `"fronts": the candidate is on the ${score}/measured-latency or ${score}/BOPs Pareto front of the candidates.`,
    '',
  ];
}

/** The presets' table and whether one beats the chosen architecture — or how to add them. */
function presetsSection({ dir, presets, dominatingPresets, chosen, config }: SearchReportInput): string[] {
  const score = scoreName(config);
  if (!presets) {
    return [
      '## Hand-designed presets',
      '',
      `Not compared in this run. \`groupnas search --resume ${dir} --compare-presets\` trains the hand-designed presets on the same backbone ` +
        'the same way (into `presets/`) and adds them here and to pareto.svg; the candidates are kept.',
      '',
    ];
  }
  const presetRecords = presets.record.candidates;
  const lines = [
    '## Hand-designed presets',
    '',
    'The same backbone, training schedule, distillation and latency measurement as the candidates.',
    '',
    ...tableHeader(score),
    ...presetRecords.map((c) => tableRow(c, 'preset', '–', '', [dominatingPresets.includes(c.index) ? 'beats the chosen architecture' : ''])),
    '',
  ];
  if (chosen !== undefined) {
    const names = dominatingPresets.map((i) => `\`${presetRecords[i]!.arch.name}\``).join(', ');
    lines.push(
      dominatingPresets.length === 0
        ? `**The chosen architecture is not dominated by any preset** on ${score} and measured latency.`
        : `**The chosen architecture is dominated** on ${score} and measured latency by ${names}.`,
      '',
    );
  }
  return lines;
}

/** ", target 3.06 (0.6 × the template's 5.1)" — the absolute target the search used, and where it came from. */
function targetText(cost: SearchLog['cost']): string {
  if (cost.target === undefined) return ', no target';
  const round = (v: number) => Number(v.toPrecision(4));
  const relative =
    cost.relativeTarget !== undefined && cost.templateCost !== undefined ? ` (${cost.relativeTarget} × the template's ${round(cost.templateCost)})` : '';
  return `, target ${round(cost.target)}${relative}`;
}
