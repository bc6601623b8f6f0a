import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backend/select.js';
import { bopsCostModel } from '../../src/search/cost-model.js';
import { EvaluationInterrupted, readEvaluation, startEvaluationPool, type CandidateRecord } from '../../src/search/evaluate/index.js';
import {
  choiceTarget,
  COMPARED_PRESETS,
  evaluateSearch,
  startPresetTraining,
  startSearchEvaluationPool,
  type PresetTraining,
} from '../../src/search/search-evaluation.js';
import { resumeSearch, runSearch } from '../../src/search/search-run.js';
import { loadArch } from '../../src/space/arch-file.js';
import { archProblems } from '../../src/space/arch-validation.js';
import { IncompleteRunError } from '../../src/util/errors.js';
import { nativeTrainingUnavailable } from '../backend/native/native-status.js';
import { ensureBuilt } from '../helpers/ensure-built.js';
import { abortWhenBarReaches, evaluatedSearchConfig } from './helpers.js';

beforeAll(async () => {
  ensureBuilt(); // the evaluation pool's workers run dist/
  await selectBackend('wasm');
});

const tmp = () => mkdtempSync(join(tmpdir(), 'gn-search-eval-'));
const config = evaluatedSearchConfig;
const options = { costModel: (layout: Parameters<typeof bopsCostModel>[0]) => bopsCostModel(layout) };
const read = (dir: string, file: string) => readFileSync(join(dir, file), 'utf8');

describe('search run: evaluation of the candidates', () => {
  it('an evaluation interrupted after one candidate resumes with the other; then arch.json, model.gnb, pareto.svg and report.md are written', async () => {
    const dir = tmp();
    const search = await runSearch(config(), { ...options, out: dir });
    expect(search.finished).toBe(true);
    const derived = read(dir, 'derived-arch.json');
    expect(read(dir, 'arch.json')).toBe(derived);

    const controller = new AbortController();
    await expect(evaluateSearch(search, { signal: controller.signal, progress: abortWhenBarReaches('evaluate', 1, controller) })).rejects.toThrow(
      EvaluationInterrupted,
    );
    const partial = readEvaluation(join(dir, 'evaluation', 'evaluation.json'))!;
    expect(partial.candidates.map((c) => c.status).sort()).toEqual(['done', 'pending']);
    for (const f of ['report.md', 'model.gnb', 'pareto.svg']) expect(existsSync(join(dir, f)), f).toBe(false);
    expect(read(dir, 'arch.json')).toBe(derived);

    // `--resume`: the supernet is finished (no epoch runs), the derivation is the same, the evaluation continues.
    const resumed = await resumeSearch(dir, options);
    expect(resumed.finished).toBe(true);
    expect(resumed.log.epochs).toHaveLength(search.log.epochs.length);
    const lines: string[] = [];
    const stage = (await evaluateSearch(resumed, { log: (l) => lines.push(l) }))!;
    expect(stage.outcome.skipped).toHaveLength(1);
    expect(stage.outcome.evaluated).toHaveLength(1);
    expect(lines.join('\n')).toMatch(/1 of 2 candidates already evaluated/);
    const records = stage.outcome.record.candidates;
    expect(records.every((c) => c.status === 'done' && c.latency !== undefined && c.latency.medianMs > 0)).toBe(true);

    // The choice: best accuracy within the BOPs target of tiny.json (5e6), on the BOPs front.
    const target = config().cost.target!;
    const fitting = records.filter((c) => c.result!.costs.bops <= target);
    const chosen = records[stage.chosen!]!;
    if (fitting.length > 0) {
      expect(chosen.result!.costs.bops).toBeLessThanOrEqual(target);
      expect(chosen.result!.testAccuracy).toBe(Math.max(...fitting.map((c) => c.result!.testAccuracy)));
    }
    expect(stage.bopsFront).toContain(stage.chosen);

    const arch = loadArch(join(dir, 'arch.json'));
    expect(archProblems(arch)).toEqual([]);
    expect(arch.metrics?.accuracy).toBe(chosen.result!.testAccuracy);
    expect(arch.metrics?.latencyMs).toBe(chosen.latency!.medianMs);
    expect(arch.bases).toEqual(chosen.arch.bases);
    expect(read(dir, 'derived-arch.json')).toBe(derived);
    expect(readFileSync(join(dir, 'model.gnb')).equals(readFileSync(join(dir, 'evaluation', chosen.result!.modelFile)))).toBe(true);

    const svg = read(dir, 'pareto.svg');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    const report = read(dir, 'report.md');
    for (const c of records) {
      expect(report).toContain(`| ${c.index} | ${c.arch.name} |`);
      expect(report).toContain(`${(c.result!.testAccuracy * 100).toFixed(2)}%`);
      // Train time: the epochs' seconds, so that a candidate resumed mid-training counts every session's part.
      const trained = c.result!.history.reduce((sum, e) => sum + e.seconds, 0);
      expect(report).toMatch(new RegExp(`\\| ${c.index} \\| .*\\| ${trained.toFixed(1)} s \\| [^|]* \\|$`, 'm'));
    }
    expect(report).toContain('**chosen**');
    expect(report).toMatch(/\(alpha\.svg\)/);
    expect(report).toMatch(/\(pareto\.svg\)/);
    expect(report).toMatch(/supernet search \(2 epochs\)/);
    expect(report).toMatch(/% of them held out for the α steps during the search\); test images/);
    expect(report).toContain("the supernet's derivation is [`derived-arch.json`]");
    expect(report).toContain(`Not compared in this run. \`groupnas search --resume ${dir} --compare-presets\``);

    // Resuming a fully evaluated run re-derives but keeps the chosen arch.json.
    const chosenArch = read(dir, 'arch.json');
    await resumeSearch(dir, options);
    expect(read(dir, 'arch.json')).toBe(chosenArch);
  });

  it('a candidate that fails for good: no choice among the others (exit 4), arch.json and model.gnb untouched; a rerun evaluates it and chooses', async () => {
    const dir = tmp();
    const search = await runSearch(config(), { ...options, out: dir });
    const derived = read(dir, 'arch.json');
    const lines: string[] = [];
    const failing = evaluateSearch(search, { injectFaults: { 0: { kind: 'throw', attempts: 2, afterUpdates: 2 } }, log: (l) => lines.push(l) });
    await expect(failing).rejects.toThrow(IncompleteRunError);
    await expect(failing).rejects.toMatchObject({ exitCode: 4 });
    expect(lines.join('\n')).toMatch(/candidate 0 failed: .*injected fault/);
    expect(read(dir, 'arch.json')).toBe(derived);
    expect(existsSync(join(dir, 'model.gnb'))).toBe(false);
    const report = read(dir, 'report.md');
    expect(report).toMatch(/\| 0 \| [^|]+ \| [^|]+ \| [^|]+ \| failed \|.*failed: injected fault/);
    expect(report).toContain('**No architecture chosen**');
    // Failed candidates get fresh attempts on a rerun; with both evaluated, one is chosen.
    const stage = (await evaluateSearch(search))!;
    expect(stage.outcome.record.candidates.map((c) => c.status)).toEqual(['done', 'done']);
    expect(stage.chosen).toBeDefined();
    expect(existsSync(join(dir, 'model.gnb'))).toBe(true);
  }, 400_000);

  it('--compare-presets: groupnet-k1/k3/k5 on the same backbone are evaluated into presets/ and appear in the report and plot', async () => {
    const dir = tmp();
    const search = await runSearch(config(), { ...options, out: dir });
    const stage = (await evaluateSearch(search, { comparePresets: true }))!;
    const presets = stage.presets!.record.candidates;
    expect(presets.map((p) => p.arch.name!.split('/')[0])).toEqual([...COMPARED_PRESETS]);
    expect(presets.every((p) => p.status === 'done' && p.latency !== undefined)).toBe(true);
    expect(stage.presets!.record.training).toEqual(stage.outcome.record.training);
    expect(existsSync(join(dir, 'presets', 'evaluation.json'))).toBe(true);
    const report = read(dir, 'report.md');
    expect(report).toContain('## Hand-designed presets');
    expect(report).not.toContain('Not compared in this run');
    for (const p of presets) expect(report).toContain(`| ${p.index} | ${p.arch.name} | preset |`);
    expect(report).toMatch(stage.dominatingPresets.length === 0 ? /not dominated by any preset/ : /chosen architecture is dominated/);
    const svg = read(dir, 'pareto.svg');
    for (const n of COMPARED_PRESETS) expect(svg).toContain(n);

    // Started on one worker while the supernet trains (as `groupnas search --compare-presets` does):
    // the same presets, trained exactly as afterwards, and timed only once every training is over.
    const early = tmp();
    const pool = startEvaluationPool({ workers: 2 });
    try {
      let training: PresetTraining | undefined;
      const again = await runSearch(config(), { ...options, out: early, onSupernetStart: (run) => (training = startPresetTraining(run, pool)) });
      expect(training).toBeDefined();
      const stageEarly = (await evaluateSearch(again, { pool, presetTraining: training! }))!;
      const outcome = (c: CandidateRecord) => ({
        status: c.status,
        accuracy: c.result?.testAccuracy,
        loss: c.result?.testLoss,
        costs: c.result?.costs,
        bytes: c.result?.modelBytes,
      });
      expect(stageEarly.presets!.record.candidates.map(outcome)).toEqual(presets.map(outcome));
      expect(stageEarly.presets!.record.candidates.every((p) => p.latency !== undefined)).toBe(true);
      expect(stageEarly.presets!.evaluated.sort()).toEqual([0, 1, 2]);
      expect(stageEarly.outcome.record.candidates.map(outcome)).toEqual(stage.outcome.record.candidates.map(outcome));
      expect(read(early, 'report.md')).toContain('## Hand-designed presets');
    } finally {
      await pool.destroy();
    }
  });
});

describe('the target the choice holds measured costs to', () => {
  const latencyConfig = (cost: Record<string, unknown>) =>
    ({ ...config(), space: { ...config().space, template: 'groupnet-k5' }, cost: { objective: 'multiplicative', metric: 'latency', ...cost } }) as ReturnType<
      typeof config
    >;
  const logCost = { metric: 'latency', unit: 'ms', objective: 'multiplicative', target: 0.865, relativeTarget: 0.6, templateCost: 1.44, min: 0.3, max: 2 };
  const preset = (medianMs: number | undefined, status = 'done') =>
    ({ status, ...(medianMs !== undefined ? { latency: { medianMs } } : {}) }) as CandidateRecord;
  const presets = [preset(0.37), preset(1.14), preset(1.87)];

  it('a relative latency target is that fraction of the template preset as measured beside the candidates', () => {
    const t = choiceTarget(latencyConfig({ relativeTarget: 0.6 }), logCost, presets)!;
    expect(t.value).toBeCloseTo(0.6 * 1.87, 12);
    expect(t.basis).toBe(" (0.6 × groupnet-k5's measured 1.87)");
  });

  it('without the presets, the untrained template timed with the candidates; a trained preset comes first', () => {
    const reference = { name: 'groupnet-k5', modelFile: 'template.gnb', latency: { engine: 'native', batch: 1, medianMs: 1.5, repeats: 3 } } as const;
    const t = choiceTarget(latencyConfig({ relativeTarget: 0.6 }), logCost, [], reference)!;
    expect(t.value).toBeCloseTo(0.9, 12);
    expect(t.basis).toBe(" (0.6 × groupnet-k5's measured 1.5, untrained, timed with the candidates)");
    expect(choiceTarget(latencyConfig({ relativeTarget: 0.6 }), logCost, presets, reference)!.value).toBeCloseTo(0.6 * 1.87, 12);
    // another model's, or one never timed (an evaluation timed before the reference joined): the search's price
    expect(choiceTarget(latencyConfig({ relativeTarget: 0.6 }), logCost, [], { ...reference, name: 'groupnet-k3' })!.value).toBe(0.865);
    expect(choiceTarget(latencyConfig({ relativeTarget: 0.6 }), logCost, [], { name: 'groupnet-k5', modelFile: 'template.gnb' })!.value).toBe(0.865);
  });

  it('else the target the search priced: without the template timed, with an absolute target, or on BOPs', () => {
    expect(choiceTarget(latencyConfig({ relativeTarget: 0.6 }), logCost, [])).toEqual({ value: 0.865, basis: '' });
    expect(choiceTarget(latencyConfig({ relativeTarget: 0.6 }), logCost, [preset(0.37), preset(1.14), preset(undefined, 'failed')])!.value).toBe(0.865);
    expect(choiceTarget(latencyConfig({ relativeTarget: 0.6, target: 1 }), { ...logCost, target: 1 }, presets)!.value).toBe(1);
    const bops = { ...latencyConfig({ relativeTarget: 0.6 }), cost: { ...latencyConfig({}).cost, metric: 'bops', relativeTarget: 0.6 } } as ReturnType<
      typeof config
    >;
    expect(choiceTarget(bops, { ...logCost, target: 5e7 }, presets)!.value).toBe(5e7);
    expect(choiceTarget(latencyConfig({ relativeTarget: 0.6 }), { ...logCost, target: undefined }, [])).toBeUndefined();
  });
});

describe('a relative latency target without the presets', () => {
  it("times the untrained template in the candidates' rounds and holds the choice to that fraction of it", async () => {
    const dir = tmp();
    const relative = config(['cost.metric=latency', 'cost.relativeTarget=0.5', 'space.template=groupnet-k1']);
    const { target: _absolute, ...cost } = relative.cost;
    const search = await runSearch({ ...relative, cost }, { ...options, out: dir });
    const lines: string[] = [];
    const stage = (await evaluateSearch(search, { log: (l) => lines.push(l) }))!;
    const record = readEvaluation(join(dir, 'evaluation', 'evaluation.json'))!;
    expect(record.reference).toMatchObject({ name: relative.space.template, modelFile: 'template.gnb' });
    expect(existsSync(join(dir, 'evaluation', 'template.gnb'))).toBe(true);
    const template = record.reference!.latency!;
    expect(template.medianMs).toBeGreaterThan(0);
    expect(template.rounds).toBe(record.candidates[0]!.latency!.rounds);
    expect(stage.chosen).toBeDefined();
    expect(read(dir, 'report.md')).toContain(`0.5 × ${relative.space.template}'s measured`);
    expect(read(dir, 'report.md')).toContain('untrained, timed with the candidates');
  });
});

describe('the search evaluation pool', () => {
  it('trains with the kernels asked for (the CLI passes its --kernels): wasm when asked, native by default where the addon runs', async () => {
    for (const [training, expected] of [
      [{ kernels: 'wasm' as const }, 'wasm'],
      [undefined, nativeTrainingUnavailable() === undefined ? 'native' : 'wasm'],
    ] as const) {
      const pool = startSearchEvaluationPool(config(), { workers: 1, ...(training ? { training } : {}) });
      try {
        const [report] = await pool.whenReady();
        expect(report!.backendError).toBeUndefined();
        expect(report!.trainingKernels).toBe(expected);
      } finally {
        await pool.destroy();
      }
    }
  });
});
