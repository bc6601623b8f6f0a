import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { activeNativeTraining } from '../../src/backend/native/native-training.js';
import { selectBackend } from '../../src/backend/select.js';
import { loadArch } from '../../src/space/arch-file.js';
import { describeArch } from '../../src/space/arch-description.js';
import { bopsCostModel } from '../../src/search/cost-model.js';
import { COMPARED_PRESETS } from '../../src/search/search-evaluation.js';
import { searchPipeline } from '../../src/search/search-pipeline.js';
import type { ProgressReporter } from '../../src/util/progress.js';
import { ensureBuilt } from '../helpers/ensure-built.js';
import { abortWhenBarReaches, evaluatedSearchConfig } from './helpers.js';

beforeAll(async () => {
  ensureBuilt(); // the evaluation pool's workers run dist/
  await selectBackend('wasm');
});

const tmp = () => mkdtempSync(join(tmpdir(), 'gn-search-pipeline-'));
const config = evaluatedSearchConfig;
const costModel = (layout: Parameters<typeof bopsCostModel>[0]) => bopsCostModel(layout);

/** Records every bar's start and stop in order. */
function recordingProgress(events: string[]): ProgressReporter {
  return {
    start(label) {
      events.push(`start ${label}`);
      return { update() {}, stop: () => void events.push(`stop ${label}`) };
    },
  };
}

describe('search pipeline: supernet, then evaluation, in one call', () => {
  it('comparePresets: the presets begin with the supernet, on a shared pool, and every one is trained and timed', async () => {
    const dir = tmp();
    const events: string[] = [];
    const threadsBefore = activeNativeTraining()?.threads;
    let threadsDuringSupernet: number | undefined;
    const { search, evaluation } = await searchPipeline(
      { config: config(['evaluation.workers=2']), out: dir },
      {
        costModel,
        comparePresets: true,
        progress: recordingProgress(events),
        onSupernetStart: () => (threadsDuringSupernet = activeNativeTraining()?.threads),
      },
    );
    expect(search.finished).toBe(true);
    // On native kernels the supernet leaves the presets' worker its thread (2 workers share the cores), and gets it back after.
    if (threadsBefore !== undefined) {
      const perWorker = Math.max(1, Math.floor(availableParallelism() / 2));
      expect(threadsDuringSupernet).toBe(Math.max(1, availableParallelism() - perWorker));
      expect(activeNativeTraining()?.threads).toBe(threadsBefore);
    }
    // Started in the supernet-start hook: before the supernet's first step, not after its last.
    expect(events.indexOf('start evaluate presets')).toBeGreaterThanOrEqual(0);
    expect(events.indexOf('start evaluate presets')).toBeLessThan(events.indexOf('start search'));
    const presets = evaluation!.presets!.record.candidates;
    expect(presets.map((p) => p.arch.name!.split('/')[0])).toEqual([...COMPARED_PRESETS]);
    expect(presets.every((p) => p.status === 'done' && p.latency !== undefined)).toBe(true);
    expect(evaluation!.outcome.record.candidates.every((c) => c.status === 'done' && c.latency !== undefined)).toBe(true);
    // Latency is timed once for candidates and presets together (interleaved), after every training ended.
    expect(events.filter((e) => e === 'start latency')).toHaveLength(1);
    expect(events.indexOf('start latency')).toBeGreaterThan(events.lastIndexOf('stop evaluate presets'));
    expect(events.indexOf('start latency')).toBeGreaterThan(events.lastIndexOf('stop evaluate'));
    expect(readFileSync(join(dir, 'report.md'), 'utf8')).toContain('## Hand-designed presets');
  }, 240_000);

  it('a blockOp search on the tiny config: candidates of any operations train, pack and time, and the report lists the chosen ones', async () => {
    const dir = tmp();
    const { search, evaluation } = await searchPipeline(
      { config: config(['space.decisions.2={"type":"blockOp"}', 'evaluation.workers=1']), out: dir },
      { costModel },
    );
    expect(search.log.variables.filter((v) => v.decision === 'blockOp')).toHaveLength(6);
    const candidates = evaluation!.outcome.record.candidates;
    expect(candidates.every((c) => c.status === 'done' && c.latency !== undefined)).toBe(true);
    for (const c of candidates) for (const b of c.arch.blocks) expect(['basic', 'plain', 'skip']).toContain(b.kind);
    const chosen = loadArch(join(dir, 'arch.json'));
    expect(readFileSync(join(dir, 'report.md'), 'utf8')).toContain(`Structure: ${describeArch(chosen)}.`);
  }, 240_000);

  it('a signal during the supernet returns it unfinished, with no evaluation; resuming runs the rest and the evaluation', async () => {
    const dir = tmp();
    const controller = new AbortController();
    const stopAtFirstStep = abortWhenBarReaches('search', 1, controller);
    const stopped = await searchPipeline(
      { config: config(['evaluation.workers=1']), out: dir },
      { costModel, comparePresets: true, signal: controller.signal, progress: stopAtFirstStep },
    );
    expect(stopped.search.finished).toBe(false);
    expect(stopped.evaluation).toBeUndefined();
    expect(existsSync(join(dir, 'evaluation'))).toBe(false);
    expect(existsSync(join(dir, 'candidates.json'))).toBe(false);

    const resumed = await searchPipeline({ resume: dir }, { costModel });
    expect(resumed.search.finished).toBe(true);
    expect(resumed.search.log.epochs).toHaveLength(2);
    expect(resumed.evaluation!.outcome.record.candidates.map((c) => c.status)).toEqual(['done', 'done']);
    // The presets stopped with the supernet (as interrupted, not failed); presets/ continues on resume.
    expect(resumed.evaluation!.presets!.record.candidates.map((c) => c.status)).toEqual(['done', 'done', 'done']);
    expect(existsSync(join(dir, 'report.md'))).toBe(true);
  }, 240_000);
});
