/**
 * What the browser-inference page asks the server for, beside the model file itself: the test
 * images of the data set the model was trained on (so the page classifies exactly the images
 * `groupnas infer` does), and the model's latency measured in Node on the same wasm engine the
 * page runs, to show next to the latency the browser measures.
 *
 * Only the named data sets (`embedded`, `debian`) are served: a model's metadata could name any
 * directory, and the dashboard serves nothing outside `--runs`.
 */
import { loadDatasetCached, type ChannelStats } from '../data/index.js';
import { loadPackedModel, measurePackedLatency, type PackedModel } from '../kernels/index.js';
import { describeMachine } from '../util/machine.js';
import { fileSize } from './run-files.js';
import { RunRequestError } from './run-path.js';

/** A packed model larger than this is refused (R/2 with K=5 is well under 1 MB). */
export const MAX_MODEL_BYTES = 256 * 2 ** 20;
const SERVED_DATASETS = new Set(['embedded', 'debian']);
export const MAX_TEST_IMAGES = 1000;

export interface TestImages {
  dataset: string;
  classes: readonly string[];
  /** [height, width, channels]. */
  shape: [number, number, number];
  offset: number;
  count: number;
  labels: number[];
  /** The raw pixels (uint8, NHWC), base64. */
  pixels: string;
  /** The data set's normalization, for models that carry none of their own (as `groupnas infer` does). */
  stats: ChannelStats;
}

export interface NodeLatency {
  engine: string;
  batch: 1;
  medianMs: number;
  repeats: number;
  cpu: string;
}

function openModel(file: string, engine: 'js' | 'wasm'): PackedModel {
  const size = fileSize(file)?.size ?? 0;
  if (size > MAX_MODEL_BYTES) throw new RunRequestError(413, `model: ${size} bytes, more than the ${MAX_MODEL_BYTES} the dashboard loads`);
  return loadPackedModel(file, engine);
}

/** `count` test images from `offset` of the data set the model in `file` records. */
export function testImagesFor(file: string, offset: number, count: number): TestImages {
  if (!Number.isInteger(offset) || offset < 0) throw new RunRequestError(400, `offset: expected an integer ≥ 0, got ${offset}`);
  if (!Number.isInteger(count) || count < 1 || count > MAX_TEST_IMAGES)
    throw new RunRequestError(400, `count: expected an integer in 1..${MAX_TEST_IMAGES}, got ${count}`);
  const model = openModel(file, 'js');
  const data = model.metadata.dataset?.data ?? 'embedded';
  if (!SERVED_DATASETS.has(data))
    throw new RunRequestError(
      422,
      `the model was trained on data directory ${data}; the dashboard serves only the named data sets (embedded, debian) — drop your own image instead`,
    );
  const dataset = loadDatasetCached({ data });
  const test = dataset.test;
  if (offset >= test.count) throw new RunRequestError(400, `offset: the test set has ${test.count} images`);
  const n = Math.min(count, test.count - offset);
  const size = dataset.shape[0] * dataset.shape[1] * dataset.shape[2];
  return {
    dataset: dataset.name,
    classes: dataset.classes,
    shape: dataset.shape,
    offset,
    count: n,
    labels: Array.from(test.labels.subarray(offset, offset + n)),
    pixels: Buffer.from(test.images.subarray(offset * size, (offset + n) * size)).toString('base64'),
    stats: dataset.stats,
  };
}

const latencies = new Map<string, { mtimeMs: number; latency: NodeLatency }>();

/** Median latency of one image through the model on Node's wasm engine (cached while the file is unchanged). */
export function nodeLatencyOf(file: string): NodeLatency {
  const stats = fileSize(file);
  const hit = latencies.get(file);
  if (hit && stats && hit.mtimeMs === stats.mtimeMs) return hit.latency;
  const model = openModel(file, 'wasm');
  const measured = measurePackedLatency(model, 1, { warmUpSeconds: 0.1, seconds: 0.4, minRepeats: 5 });
  const latency: NodeLatency = {
    engine: model.engine.name,
    batch: 1,
    medianMs: measured.medianSeconds * 1e3,
    repeats: measured.repeats,
    cpu: describeMachine().cpu,
  };
  if (stats) latencies.set(file, { mtimeMs: stats.mtimeMs, latency });
  return latency;
}
