/**
 * A packed model that predicts a batch on several threads: the batch is cut into one contiguous
 * slice per thread, the calling thread predicts the first and worker threads (piscina, each with
 * its own copy of the model, loaded from the same .gnb with the same engine) the others. Images
 * never meet inside a model, so the logits equal one `PackedModel.predict` of the whole batch bit
 * for bit, for any number of threads. Each thread's engine runs its convs on one thread: the
 * slices are the parallelism (the element-wise work between convs, half of a batch's time, runs
 * in JavaScript and would not be shared by threads inside a conv).
 */
import { Piscina } from 'piscina';
import { UsageError } from '../util/errors.js';
import { MAX_NATIVE_THREADS } from '../util/native-addon.js';
import { createRng } from '../util/random.js';
import { builtWorkerFile, workerExecArgv } from '../util/worker-file.js';
import { createEngine, type EngineChoice } from './engines.js';
import { concatFloat32 } from './float-ops.js';
import type { PackedLatency } from './packed-inference.js';
import type { PackedModel } from './packed-model.js';
import { loadPackedModel } from './packed-model-file.js';
import type { PackedSlice, PackedSliceWorkerData } from './packed-model-worker.js';

export interface PackedModelPoolOptions {
  /** Threads, this one included (1 = no workers). */
  threads: number;
  engine?: EngineChoice;
}

export class PackedModelPool {
  private constructor(
    /** This thread's model (the first slice of every batch). */
    readonly model: PackedModel,
    readonly threads: number,
    private readonly workers: Piscina<PackedSlice, Float32Array> | undefined,
  ) {}

  /** Load `file` here (its errors as loadPackedModel's) and start threads − 1 workers that load it too. */
  static async open(file: string, options: PackedModelPoolOptions): Promise<PackedModelPool> {
    const { threads } = options;
    if (!Number.isInteger(threads) || threads < 1 || threads > MAX_NATIVE_THREADS) {
      throw new UsageError(`packed model pool: threads must be an integer 1..${MAX_NATIVE_THREADS}, got ${threads}`);
    }
    const model = loadPackedModel(file, createEngine(options.engine ?? 'auto'));
    if (threads === 1) return new PackedModelPool(model, 1, undefined);
    const workerData: PackedSliceWorkerData = { file, engine: model.engine.name };
    const workers = new Piscina<PackedSlice, Float32Array>({
      filename: builtWorkerFile('kernels/packed-model-worker.js', 'the packed model worker'),
      execArgv: workerExecArgv(),
      minThreads: threads - 1,
      maxThreads: threads - 1,
      workerData,
    });
    const pool = new PackedModelPool(model, threads, workers);
    // every worker loads its model before the first batch is timed
    await Promise.all(Array.from({ length: threads - 1 }, () => workers.run({ images: new Float32Array(0), n: 0 })));
    return pool;
  }

  /** Logits of `n` NHWC images, as `model.predict(images, n)` returns them. */
  async predict(images: Float32Array, n: number): Promise<Float32Array> {
    const { height, width, channels } = this.model.arch.input;
    const size = height * width * channels;
    if (!Number.isInteger(n) || n < 1 || images.length !== n * size) {
      throw new UsageError(`packed model pool: expected ${n} images of ${height}×${width}×${channels} (${n * size} values), got ${images.length}`);
    }
    const parts = Math.min(this.threads, n);
    const bounds = Array.from({ length: parts + 1 }, (_, k) => Math.round((k * n) / parts));
    const slice = (k: number) => images.slice(bounds[k]! * size, bounds[k + 1]! * size);
    const others = Array.from({ length: parts - 1 }, (_, i) => {
      const part = slice(i + 1);
      return this.workers!.run({ images: part, n: bounds[i + 2]! - bounds[i + 1]! }, { transferList: [part.buffer as ArrayBuffer] });
    });
    const first = this.model.predict(images.subarray(0, bounds[1]! * size), bounds[1]!);
    return concatFloat32([first, ...(await Promise.all(others))]);
  }

  /**
   * Median wall time of one `predict` of `batch` seeded random images (warm-up first), as
   * measurePackedLatency times one model — on the wall clock, which counts every thread's work once.
   */
  async measure(batch: number, options: { warmUpSeconds?: number; seconds?: number; minRepeats?: number } = {}): Promise<PackedLatency & { threads: number }> {
    const { height, width, channels } = this.model.arch.input;
    const rng = createRng(1);
    const images = Float32Array.from({ length: batch * height * width * channels }, () => rng());
    const warmUpEnd = performance.now() + 1000 * (options.warmUpSeconds ?? 0.3);
    do await this.predict(images, batch);
    while (performance.now() < warmUpEnd);
    const times: number[] = [];
    const end = performance.now() + 1000 * (options.seconds ?? 1);
    while (times.length < (options.minRepeats ?? 5) || performance.now() < end) {
      const t0 = performance.now();
      await this.predict(images, batch);
      times.push((performance.now() - t0) / 1000);
    }
    times.sort((a, b) => a - b);
    const medianSeconds = times[Math.floor(times.length / 2)]!;
    return { batch, threads: this.threads, medianSeconds, imagesPerSecond: batch / medianSeconds, repeats: times.length };
  }

  async close(): Promise<void> {
    await this.workers?.destroy();
  }
}
