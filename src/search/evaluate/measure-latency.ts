/**
 * The measured cost of a candidate: its `.gnb` run by the packed engine in the calling thread.
 * The pool calls this only after its workers are gone, so no timing shares a core with training.
 *
 * Other processes can still share the core. Against that, every model of a search (candidates
 * and presets) is timed in interleaved rounds — round r times each model in turn, in an order
 * rotated every round — so a burst of load slows one round of every model instead of all rounds of
 * one model, and the figure is the median over rounds. Two checks tell a busy machine:
 *
 *   spread    = (slowest round − fastest round) / median   — load that came and went
 *   CPU share = this process's CPU time / wall time while timing — load that stayed all along
 *               (a single-threaded timing loop that owns its core is ≈ 1; sharing it halves it)
 *
 * When either is past its limit the models are timed once more and the calmer measurement kept;
 * still past it, the latency records why it is `unreliable`, and the report shows it.
 */
import {
  createEngine,
  loadPackedModel,
  measurePackedLatency,
  timeMedian,
  type BinaryEngine,
  type EngineChoice,
  type TimingOptions,
} from '../../kernels/index.js';
import { createRng } from '../../util/random.js';
import type { MeasuredLatency } from './evaluation-file.js';

export interface LatencyOptions {
  /** Packed engine (default `auto`: the fastest available here). */
  engine?: EngineChoice;
  /** Images per `predict` (default 1: the latency a single request sees). */
  batch?: number;
  timing?: TimingOptions;
  /** Interleaved rounds over the models timed together (default 5). */
  rounds?: number;
}

/** Past these, a measurement was disturbed by other work on the machine. */
export const MAX_ROUND_SPREAD = 0.15;
export const MIN_CPU_SHARE = 0.85;

/** Median latency of one packed forward pass of the model in `modelFile`, timed alone. */
export function measureModelLatency(modelFile: string, options: LatencyOptions = {}, engine?: BinaryEngine): MeasuredLatency {
  const model = loadPackedModel(modelFile, engine ?? createEngine(options.engine ?? 'auto'));
  const batch = options.batch ?? 1;
  const t = measurePackedLatency(model, batch, options.timing);
  return { engine: model.engine.name, batch, medianMs: t.medianSeconds * 1000, repeats: t.repeats };
}

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** One interleaved measurement of every model: each model's round medians (ms), and the CPU share over all of it. */
function timeRounds(predicts: readonly (() => void)[], rounds: number, timing: TimingOptions): { roundsMs: number[][]; repeats: number[]; cpuShare: number } {
  const roundsMs = predicts.map(() => [] as number[]);
  const repeats = predicts.map(() => 0);
  const wallStart = performance.now();
  const cpuStart = process.cpuUsage();
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < predicts.length; k++) {
      const m = (k + r) % predicts.length;
      const t = timeMedian(predicts[m]!, {
        warmUpSeconds: r === 0 ? (timing.warmUpSeconds ?? 0.3) : 0,
        seconds: (timing.seconds ?? 1) / rounds,
        minRepeats: timing.minRepeats ?? 5,
      });
      roundsMs[m]!.push(t.medianSeconds * 1000);
      repeats[m]! += t.repeats;
    }
  }
  const cpu = process.cpuUsage(cpuStart);
  return { roundsMs, repeats, cpuShare: (cpu.user + cpu.system) / 1000 / Math.max(1e-9, performance.now() - wallStart) };
}

function worstSpread(roundsMs: readonly number[][]): number {
  return Math.max(...roundsMs.map((ms) => (Math.max(...ms) - Math.min(...ms)) / median(ms)));
}

/**
 * Latency of every model in `modelFiles`, timed together in interleaved rounds (see the head),
 * re-measured once when the machine looked busy.
 */
export function measureLatencies(modelFiles: readonly string[], options: LatencyOptions = {}, engine?: BinaryEngine): MeasuredLatency[] {
  if (modelFiles.length === 0) return [];
  const e = engine ?? createEngine(options.engine ?? 'auto');
  const batch = options.batch ?? 1;
  const rounds = options.rounds ?? 5;
  const models = modelFiles.map((file) => loadPackedModel(file, e));
  const predicts = models.map((model) => {
    const { height, width, channels } = model.arch.input;
    const rng = createRng(1);
    const images = Float32Array.from({ length: batch * height * width * channels }, () => rng());
    return () => void model.predict(images, batch);
  });
  const timing = options.timing ?? {};
  const disturbed = (m: { roundsMs: number[][]; cpuShare: number }) => worstSpread(m.roundsMs) > MAX_ROUND_SPREAD || m.cpuShare < MIN_CPU_SHARE;
  let measured = timeRounds(predicts, rounds, timing);
  if (disturbed(measured)) {
    const again = timeRounds(predicts, rounds, { ...timing, warmUpSeconds: 0 });
    if (worstSpread(again.roundsMs) < worstSpread(measured.roundsMs)) measured = again;
  }
  const { roundsMs, repeats, cpuShare } = measured;
  return roundsMs.map((ms, m) => {
    const medianMs = median(ms);
    const minMs = Math.min(...ms);
    const maxMs = Math.max(...ms);
    const spread = (maxMs - minMs) / medianMs;
    const why = [
      ...(spread > MAX_ROUND_SPREAD ? [`rounds ranged ${minMs.toPrecision(3)}–${maxMs.toPrecision(3)} ms (spread ${(spread * 100).toFixed(0)}%)`] : []),
      ...(cpuShare < MIN_CPU_SHARE ? [`the timing thread had ${(cpuShare * 100).toFixed(0)}% of a core`] : []),
    ];
    return {
      engine: models[m]!.engine.name,
      batch,
      medianMs,
      repeats: repeats[m]!,
      minMs,
      maxMs,
      spread,
      rounds,
      ...(why.length > 0 ? { unreliable: `${why.join('; ')}: the machine was busy` } : {}),
    };
  });
}
