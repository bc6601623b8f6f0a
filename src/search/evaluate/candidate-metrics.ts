/**
 * From an evaluated candidate to what the rest of a search uses: its arch.json with the measured
 * metrics filled in, and its point on the Pareto plots.
 */
import type { Arch } from '../../space/arch.js';
import type { ParetoPoint } from '../pareto-plot.js';
import type { CandidateRecord } from './evaluation-file.js';

/** The candidate's Arch with measured accuracy, latency, BOPs, params and memory (predicted values it carried are kept). */
export function evaluatedArch(c: CandidateRecord): Arch {
  if (c.status !== 'done' || c.result === undefined) return c.arch;
  const { costs } = c.result;
  return {
    ...c.arch,
    metrics: {
      ...c.arch.metrics,
      // A segmentation candidate's score is its mIoU.
      ...(c.arch.head.fcn !== undefined ? { miou: c.result.testAccuracy } : { accuracy: c.result.testAccuracy }),
      ...(c.latency ? { latencyMs: c.latency.medianMs } : {}),
      bops: costs.bops,
      params: costs.params,
      memoryBytes: costs.memoryBytes,
    },
  };
}

/** The candidate as a point of pareto.svg; undefined for one without a result (pending or failed). */
export function candidatePoint(c: CandidateRecord, kind = 'candidate'): ParetoPoint | undefined {
  if (c.status !== 'done' || c.result === undefined) return undefined;
  return {
    label: c.arch.name ?? `candidate ${c.index}`,
    accuracy: c.result.testAccuracy,
    ...(c.latency ? { latencyMs: c.latency.medianMs } : {}),
    bops: c.result.costs.bops,
    kind,
    index: c.index,
  };
}

/**
 * The points of a search's Pareto plots: its evaluated candidates (the chosen one as `chosen`) and
 * the presets compared with them; candidates without a result are left out.
 */
export function searchParetoPoints(candidates: readonly CandidateRecord[], presets: readonly CandidateRecord[], chosen: number | undefined): ParetoPoint[] {
  return [...candidates.map((c) => candidatePoint(c, c.index === chosen ? 'chosen' : 'candidate')), ...presets.map((c) => candidatePoint(c, 'preset'))].filter(
    (p): p is ParetoPoint => p !== undefined,
  );
}
