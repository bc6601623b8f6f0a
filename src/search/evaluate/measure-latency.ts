/**
 * The measured cost of a candidate: its `.gnb` run by the packed engine in the calling thread.
 * The pool calls this only after its workers are gone and one candidate at a time, so no timing
 * shares a core with training or with another timing.
 */
import { createEngine, loadPackedModel, measurePackedLatency, type BinaryEngine, type EngineChoice, type TimingOptions } from '../../kernels/index.js';
import type { MeasuredLatency } from './evaluation-file.js';

export interface LatencyOptions {
  /** Packed engine (default `auto`: the fastest available here). */
  engine?: EngineChoice;
  /** Images per `predict` (default 1: the latency a single request sees). */
  batch?: number;
  timing?: TimingOptions;
}

/** Median latency of one packed forward pass of the model in `modelFile`. */
export function measureModelLatency(modelFile: string, options: LatencyOptions = {}, engine?: BinaryEngine): MeasuredLatency {
  const model = loadPackedModel(modelFile, engine ?? createEngine(options.engine ?? 'auto'));
  const batch = options.batch ?? 1;
  const t = measurePackedLatency(model, batch, options.timing);
  return { engine: model.engine.name, batch, medianMs: t.medianSeconds * 1000, repeats: t.repeats };
}
