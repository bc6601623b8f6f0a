/**
 * `report.md` of a search run: what a person reads after `groupnas search` — the
 * configuration, the data, the time spent per phase, the α and Pareto plots, and the table of
 * evaluated candidates with measured and predicted costs and the reason of every failure.
 * Plain Markdown built from the run's own records; the plots are linked, not embedded.
 */
import type { SearchConfig } from '../space/config.js';
import { readRunResult, trainingSeconds } from '../train/run-directory.js';
import type { CandidateRecord, EvaluationOutcome } from './evaluate/index.js';
import type { SearchCandidate, SearchLog } from './search-directory.js';

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

/** The teacher's training time, from its run's result (absent when it was loaded from a run that has none). */
function teacherSeconds(teacherDir: string | undefined): number | undefined {
  const result = teacherDir !== undefined ? readRunResult(teacherDir) : undefined;
  return result !== undefined ? trainingSeconds(result) : undefined;
}

export function searchReport(input: SearchReportInput): string {
  const { config, search, evaluation, chosen } = input;
  const records = evaluation.record.candidates;
  const done = records.filter((c) => c.status === 'done');
  const lines: string[] = [];
  const push = (...l: string[]) => lines.push(...l);

  push(`# Search report: ${config.name ?? 'search'}`, '');
  if (chosen !== undefined) {
    const c = records[chosen.index]!;
    const r = c.result!;
    push(
      `**Chosen architecture:** candidate ${c.index} (${cell(c.arch.name ?? '')}) — ${chosen.rule}: test accuracy ${(r.testAccuracy * 100).toFixed(2)}%` +
        `${c.latency ? `, ${c.latency.medianMs.toPrecision(3)} ms measured` : ''}, ${count(r.costs.bops)} BOPs, ${count(r.costs.memoryBytes)} bytes. ` +
        "Written as [`arch.json`](arch.json) and [`model.gnb`](model.gnb); the supernet's derivation is [`derived-arch.json`](derived-arch.json).",
      '',
    );
  } else {
    push("**No candidate finished its evaluation**: `arch.json` is the supernet's derived architecture and there is no `model.gnb`.", '');
  }

  push('## Configuration', '');
  push(
    `- space: \`${search.space}\` (${search.variables.length} decision variables), template \`${config.space.template}\`, backbone \`${config.backbone.name}\` ×${config.backbone.widthMultiplier}`,
    `- seed ${config.seed}; cost: ${search.cost.objective} objective on ${search.cost.metric} (${search.cost.unit})${targetText(search.cost)}`,
    `- supernet search: ${config.search.epochs} epochs (${config.search.warmupEpochs} warm-up), batch ${config.search.batchSize}, ${config.search.order}-order α gradient${config.search.archEvery > 1 ? ` every ${config.search.archEvery} weight steps` : ''}${config.search.gumbel.enabled ? ', Gumbel-softmax' : ''}`,
    `- evaluation: ${config.evaluation.candidates} candidates × ${config.evaluation.epochs} epoch(s), ${evaluation.workers} worker(s), latency on the \`${config.evaluation.engine}\` engine`,
    `- distillation: ${search.teacher !== undefined ? `KD ${config.distillation.kd}, AT ${config.distillation.at}, T ${config.distillation.temperature} from \`${search.teacher}\`` : 'none'}`,
    '',
  );

  push('## Data', '');
  const testImages = done[0]?.result?.testImages;
  push(
    `- dataset \`${config.data.dataset}\`; training images: ${config.data.trainLimit > 0 ? `first ${config.data.trainLimit}` : 'all'} ` +
      `(${(config.data.archValFraction * 100).toFixed(0)}% of them held out for the α steps during the search); ` +
      `test images: ${testImages ?? (config.data.testLimit > 0 ? config.data.testLimit : 'all')}; augmentation ${config.data.augment ? 'on' : 'off'}`,
    '',
  );

  push('## Time per phase', '', '| phase | time |', '|---|---|');
  const teacher = teacherSeconds(search.teacher);
  if (teacher !== undefined) push(`| teacher training | ${seconds(teacher)} |`);
  if (input.presets) {
    const presetSum = input.presets.record.candidates.reduce((sum, c) => sum + (c.result?.trainSeconds ?? 0), 0);
    push(`| preset training (sum over ${input.presets.record.candidates.length} presets) | ${seconds(presetSum)} |`);
  }
  push(
    `| supernet search (${search.epochs.length} epochs${search.stoppedEarly ? `, stopped early at ${search.stoppedEarly.epoch}` : ''}) | ${seconds(search.epochs.reduce((s, e) => s + e.seconds, 0))} |`,
  );
  const trainSum = done.reduce((s, c) => s + c.result!.trainSeconds, 0);
  push(
    `| candidate training (sum over candidates, ${evaluation.workers} worker(s)) | ${seconds(trainSum)} |`,
    `| evaluation wall time (this run${evaluation.skipped.length > 0 ? `; ${evaluation.skipped.length} resumed as done` : ''}) | ${seconds(input.evaluationSeconds)} |`,
    `| latency measurement | ${seconds(evaluation.latencySeconds)} |`,
    '',
  );

  push(
    '## Plots',
    '',
    '- [α probabilities per epoch](alpha.svg)',
    '',
    '![alpha](alpha.svg)',
    '',
    '- [Pareto fronts: accuracy vs measured latency and vs BOPs](pareto.svg)',
    '',
    '![pareto](pareto.svg)',
    '',
  );
  for (const w of search.warnings) push(`> warning: ${w}`, '');

  const header = [
    '| # | name | derivation | α probability | status | test accuracy | measured latency (ms) | predicted latency (ms) | BOPs | params | memory (bytes) | fronts | train time | notes |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  const row = (c: CandidateRecord, derivation: string, probability: string, fronts: string, extra: string[]) => {
    const r = c.result;
    const predicted = c.arch.metrics?.predictedLatencyMs;
    const notes = [
      ...extra,
      c.status === 'failed' ? `failed: ${c.reason ?? ''}` : '',
      c.status === 'done' && c.failures.length > 0 ? `${c.failures.length} failed attempt(s) before: ${c.failures.map((f) => f.kind).join(', ')}` : '',
    ]
      .filter((n) => n !== '')
      .join('; ');
    return (
      `| ${c.index} | ${cell(c.arch.name ?? '')} | ${derivation} | ${probability} | ${c.status} | ` +
      `${r ? `${(r.testAccuracy * 100).toFixed(2)}%` : '–'} | ${c.latency ? c.latency.medianMs.toPrecision(3) : '–'} | ${predicted !== undefined ? predicted.toPrecision(3) : '–'} | ` +
      `${r ? count(r.costs.bops) : '–'} | ${r ? count(r.costs.params) : '–'} | ${r ? count(r.costs.memoryBytes) : '–'} | ${fronts || '–'} | ${r ? seconds(r.trainSeconds) : '–'} | ${cell(notes)} |`
    );
  };

  push('## Candidates', '', ...header);
  for (const c of records) {
    const d = input.derived[c.index];
    const fronts = [input.latencyFront.includes(c.index) ? 'latency' : '', input.bopsFront.includes(c.index) ? 'BOPs' : ''].filter((f) => f !== '').join(', ');
    push(row(c, d?.derivation ?? '', d ? d.probability.toPrecision(3) : '', fronts, [c.index === chosen?.index ? '**chosen**' : '']));
  }
  push('', '"fronts": the candidate is on the accuracy/measured-latency or accuracy/BOPs Pareto front of the candidates.', '');

  if (input.presets) {
    push('## Hand-designed presets', '', 'The same backbone, training schedule, distillation and latency measurement as the candidates.', '', ...header);
    for (const c of input.presets.record.candidates)
      push(row(c, 'preset', '–', '', [input.dominatingPresets.includes(c.index) ? 'beats the chosen architecture' : '']));
    push('');
    if (chosen !== undefined) {
      push(
        input.dominatingPresets.length === 0
          ? '**The chosen architecture is not dominated by any preset** on accuracy and measured latency.'
          : `**The chosen architecture is dominated** on accuracy and measured latency by ${input.dominatingPresets.map((i) => `\`${input.presets!.record.candidates[i]!.arch.name}\``).join(', ')}.`,
        '',
      );
    }
  } else {
    push(
      '## Hand-designed presets',
      '',
      `Not compared in this run. \`groupnas search --resume ${input.dir} --compare-presets\` trains the hand-designed presets on the same backbone the same way (into \`presets/\`) and adds them here and to pareto.svg; the candidates are kept.`,
      '',
    );
  }

  push(
    `Per-candidate training runs, results and packed models are under [\`evaluation/\`](evaluation/evaluation.json); the derivation is in [\`candidates.json\`](candidates.json), the α history in [\`search.json\`](search.json).`,
    '',
  );
  return lines.join('\n');
}

/** ", target 3.06 (0.6 × the template's 5.1)" — the absolute target the search used, and where it came from. */
function targetText(cost: SearchLog['cost']): string {
  if (cost.target === undefined) return ', no target';
  const round = (v: number) => Number(v.toPrecision(4));
  const relative =
    cost.relativeTarget !== undefined && cost.templateCost !== undefined ? ` (${cost.relativeTarget} × the template's ${round(cost.templateCost)})` : '';
  return `, target ${round(cost.target)}${relative}`;
}
