import { describe, expect, it } from 'vitest';
import { candidatePoint, evaluatedArch, searchParetoPoints } from '../../../src/search/evaluate/candidate-metrics.js';
import type { CandidateRecord } from '../../../src/search/evaluate/evaluation-file.js';
import { buildPreset } from '../../../src/space/presets.js';
import { summarize } from '../../../src/space/summary.js';

const arch = { ...buildPreset('groupnet-k3', { widthMultiplier: 0.125 }), name: 'run/candidate-1', metrics: { predictedLatencyMs: 0.9 } };
const costs = summarize(arch).totals;
const done: CandidateRecord = {
  index: 1,
  arch,
  status: 'done',
  failures: [],
  result: {
    testAccuracy: 0.75,
    testLoss: 0.8,
    testImages: 64,
    history: [],
    costs,
    runDir: 'candidates/1',
    modelFile: 'candidates/1/model.gnb',
    modelBytes: 1000,
    trainSeconds: 1,
  },
  latency: { engine: 'wasm', batch: 1, medianMs: 1.25, repeats: 9 },
};

describe('candidate metrics', () => {
  it('fills the arch metrics with what was measured and keeps the prediction', () => {
    expect(evaluatedArch(done).metrics).toEqual({
      predictedLatencyMs: 0.9,
      accuracy: 0.75,
      latencyMs: 1.25,
      bops: costs.bops,
      params: costs.params,
      memoryBytes: costs.memoryBytes,
    });
    expect(evaluatedArch(done).blocks).toEqual(arch.blocks);
  });

  it('a pending or failed candidate has no measured metrics and no Pareto point; an untimed one has no latency', () => {
    const failed: CandidateRecord = { index: 1, arch, status: 'failed', failures: [{ attempt: 1, kind: 'error', message: 'x' }], reason: 'x' };
    expect(evaluatedArch(failed)).toBe(arch);
    expect(candidatePoint(failed)).toBeUndefined();
    const { latency: _, ...untimed } = done;
    // the point keeps the candidate's index, so a viewer can look its architecture up
    expect(candidatePoint(untimed)).toEqual({ label: 'run/candidate-1', accuracy: 0.75, bops: costs.bops, kind: 'candidate', index: 1 });
    expect(candidatePoint(done, 'chosen')).toEqual({ label: 'run/candidate-1', accuracy: 0.75, latencyMs: 1.25, bops: costs.bops, kind: 'chosen', index: 1 });
  });

  it("a search's Pareto points: its finished candidates (the chosen one as such) and the presets", () => {
    const pending: CandidateRecord = { index: 0, arch, status: 'pending', failures: [] };
    const preset: CandidateRecord = { ...done, index: 0, arch: { ...arch, name: 'groupnet-k3' } };
    const points = searchParetoPoints([pending, done], [preset], 1);
    expect(points.map((p) => [p.label, p.kind, p.index])).toEqual([
      ['run/candidate-1', 'chosen', 1],
      ['groupnet-k3', 'preset', 0],
    ]);
    expect(searchParetoPoints([pending, done], [], undefined).map((p) => p.kind)).toEqual(['candidate']);
  });
});
