/**
 * `groupnas infer`: run a `.gnb` packed model on a data set's test images with the packed
 * engine — accuracy, and median latency at batch 1 and 64 — so the exported model's real
 * cost and its accuracy (which must equal the tfjs model's) are measured by one command.
 */
import { resolve } from 'node:path';
import { firstImages, loadDataset, normalizeImages } from '../data/index.js';
import { ConfusionMatrix, type SegmentationMetrics } from '../nn/index.js';
import {
  createEngine,
  evaluatePackedModel,
  segmentWithPackedModel,
  loadPackedModel,
  measurePackedLatency,
  PackedModelPool,
  type EngineChoice,
  type EngineName,
  type PackedLatency,
  type TimingOptions,
} from '../kernels/index.js';
import { UsageError } from '../util/errors.js';
import { describeMachine, type MachineDescription } from '../util/machine.js';

export interface InferOptions {
  /** `embedded`, `debian` or a directory; default: the data set the model was trained on (else `embedded`). */
  data?: string;
  engine?: EngineChoice;
  /** First N test images only. */
  limit?: number;
  /** Batch sizes to time `predict` at (median of repeats); default [1, 64]; [] skips timing. */
  latencyBatches?: readonly number[];
  timing?: TimingOptions;
  /** Also report the predicted class of every image (for comparing engines image by image). */
  predictions?: boolean;
}

export interface InferReport {
  model: string;
  arch: string;
  engine: EngineName;
  data: { data: string; name: string; checksum: string; testImages: number };
  /** How inputs were normalized: the statistics stored in the model, or the data set's own (older files). */
  normalization: 'model' | 'dataset';
  correct: number;
  accuracy: number;
  /** The tfjs model's test accuracy recorded at export, when it was measured on these very images. */
  tfjsTestAccuracy?: number;
  latency: PackedLatency[];
  /** Batch 64 on several threads (timeThreadedInference), when asked. */
  threaded?: PackedLatency & { threads: number };
  machine: MachineDescription;
  /** The predicted class of each test image, in order (with `predictions`; segmentation: of each pixel). */
  predictions?: number[];
  /** Segmentation models: mIoU, pixel accuracy (also `accuracy`) and IoU per class on the test masks. */
  segmentation?: SegmentationMetrics;
  /** Segmentation: the tfjs model's test mIoU recorded at export, when measured on these very images. */
  tfjsTestMiou?: number;
}

export function inferPackedModel(path: string, options: InferOptions = {}): InferReport {
  // The engine first: a wrong engine name is reported before any file is read.
  const model = loadPackedModel(path, createEngine(options.engine ?? 'auto'));
  const { metadata, arch } = model;
  const data = options.data ?? metadata.dataset?.data ?? 'embedded';
  const dataset = loadDataset({ data });
  const [height, width, channels] = dataset.shape;
  if (height !== arch.input.height || width !== arch.input.width || channels !== arch.input.channels) {
    throw new UsageError(
      `--data ${data}: images are ${height}×${width}×${channels}, but ${path} expects ${arch.input.height}×${arch.input.width}×${arch.input.channels}`,
    );
  }
  if (options.limit !== undefined && (!Number.isInteger(options.limit) || options.limit < 1))
    throw new UsageError(`--limit: expected a positive integer, got ${options.limit}`);
  const test = options.limit === undefined ? dataset.test : firstImages(dataset.test, options.limit);
  const images = normalizeImages(test.images, channels, metadata.normalization ?? dataset.stats);
  const segmentation = arch.head.fcn !== undefined;
  if (segmentation && test.masks === undefined) throw new UsageError(`--data ${data}: ${path} is a segmentation model; the data set has no masks`);
  const result = segmentation
    ? segmentationResult(segmentWithPackedModel(model, images, test.count), test.masks!, arch.head.classes)
    : evaluatePackedModel(model, images, test.labels, test.count);

  const sameImages = metadata.dataset !== undefined && metadata.dataset.checksum === dataset.checksum && metadata.dataset.testImages === test.count;
  const latency = (options.latencyBatches ?? [1, 64]).map((batch) => measurePackedLatency(model, batch, options.timing));
  return {
    model: resolve(path),
    arch: arch.name ?? 'arch',
    engine: model.engine.name,
    data: { data, name: dataset.name, checksum: dataset.checksum, testImages: test.count },
    normalization: metadata.normalization ? 'model' : 'dataset',
    correct: result.correct,
    accuracy: result.accuracy,
    ...(sameImages && metadata.tfjsTestAccuracy !== undefined ? { tfjsTestAccuracy: metadata.tfjsTestAccuracy } : {}),
    ...(sameImages && metadata.tfjsTestMiou !== undefined ? { tfjsTestMiou: metadata.tfjsTestMiou } : {}),
    ...('segmentation' in result ? { segmentation: result.segmentation } : {}),
    latency,
    machine: describeMachine(),
    ...(options.predictions ? { predictions: Array.from(result.predictions) } : {}),
  };
}

/** Batch 64 of the model in `path` through a PackedModelPool of `threads` threads, on the wall clock. */
export async function timeThreadedInference(
  path: string,
  options: { engine?: EngineChoice; threads: number; timing?: TimingOptions },
): Promise<PackedLatency & { threads: number }> {
  const pool = await PackedModelPool.open(path, { threads: options.threads, engine: options.engine ?? 'auto' });
  try {
    return await pool.measure(64, { warmUpSeconds: 0.3, seconds: 1, ...options.timing });
  } finally {
    await pool.close();
  }
}

/** Per-pixel predictions against the masks: the metrics, and `correct`/`accuracy` as counted pixels. */
function segmentationResult(predictions: Uint8Array, masks: Uint8Array, classes: number) {
  const confusion = new ConfusionMatrix(classes);
  confusion.add(masks, predictions);
  const segmentation = confusion.metrics();
  return { correct: Math.round(segmentation.pixelAccuracy * segmentation.pixels), accuracy: segmentation.pixelAccuracy, predictions, segmentation };
}
