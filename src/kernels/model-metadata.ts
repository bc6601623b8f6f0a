/**
 * What a `.gnb` model carries besides its weights (the header's `metadata`): the input
 * normalization it was trained with — so `groupnas infer` feeds it the same numbers the
 * tfjs model saw — the activation clip β, and where it came from (data set, run, the tfjs
 * test accuracy measured at export). Written by the exporter; read back typed and checked.
 */
import { DEFAULT_ACTIVATION_CLIP } from '../space/activation-clip.js';
import { FileFormatError } from '../util/errors.js';

/** Per-channel mean and standard deviation of pixels scaled to [0, 1]: x = (p/255 − mean) / std. */
export interface InputNormalization {
  mean: number[];
  std: number[];
}

/** The data a model was trained and tested on, as the run recorded it. */
export interface ModelDataProvenance {
  /** What `--data` selected it with (`embedded`, `debian`, a directory). */
  data: string;
  name: string;
  /** sha256 of the raw files (src/data's Dataset.checksum). */
  checksum: string;
  /** The test accuracy below is over the first `testImages` test images. */
  testImages: number;
}

export interface PackedModelMetadata {
  /** Clip β of k-bit activation quantizers (nn's `activationClip`). */
  activationClip: number;
  normalization?: InputNormalization;
  dataset?: ModelDataProvenance;
  /** Test accuracy of the tfjs model (inference mode) these weights were exported from (segmentation: pixel accuracy). */
  tfjsTestAccuracy?: number;
  /** Segmentation: the tfjs model's test mIoU. */
  tfjsTestMiou?: number;
  /** The run directory exported, and when. */
  source?: { run: string; epochs: number; exportedAt: string; toolVersion: string };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Read and check the metadata of a model file; fields a model lacks stay undefined, malformed ones throw naming the field. */
export function readModelMetadata(metadata: Readonly<Record<string, unknown>>, channels: number, file: string): PackedModelMetadata {
  const fail = (field: string, expected: string): never => {
    throw new FileFormatError(file, `metadata.${field}`, expected);
  };
  const clip = metadata.activationClip ?? DEFAULT_ACTIVATION_CLIP;
  if (typeof clip !== 'number' || !(clip > 0)) fail('activationClip', `expected a number > 0, got ${JSON.stringify(clip)}`);
  const out: PackedModelMetadata = { activationClip: clip as number };

  if (metadata.normalization !== undefined) {
    const n = metadata.normalization;
    if (!isObject(n)) return fail('normalization', 'expected an object { mean, std }');
    for (const key of ['mean', 'std'] as const) {
      const v = n[key];
      if (!Array.isArray(v) || v.length !== channels || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) {
        fail(`normalization.${key}`, `expected ${channels} finite numbers (one per input channel)`);
      }
    }
    if (!(n.std as number[]).every((s) => s > 0)) fail('normalization.std', 'expected every standard deviation > 0');
    out.normalization = { mean: [...(n.mean as number[])], std: [...(n.std as number[])] };
  }

  if (metadata.dataset !== undefined) {
    const d = metadata.dataset;
    if (!isObject(d)) return fail('dataset', 'expected an object { data, name, checksum, testImages }');
    for (const key of ['data', 'name', 'checksum'] as const) if (typeof d[key] !== 'string') fail(`dataset.${key}`, 'expected a string');
    if (!Number.isInteger(d.testImages) || (d.testImages as number) < 0) fail('dataset.testImages', 'expected a non-negative integer');
    out.dataset = { data: d.data as string, name: d.name as string, checksum: d.checksum as string, testImages: d.testImages as number };
  }

  if (metadata.tfjsTestAccuracy !== undefined) {
    const a = metadata.tfjsTestAccuracy;
    if (typeof a !== 'number' || !(a >= 0 && a <= 1)) fail('tfjsTestAccuracy', `expected a number in [0, 1], got ${JSON.stringify(a)}`);
    out.tfjsTestAccuracy = a as number;
  }
  if (metadata.tfjsTestMiou !== undefined) {
    const m = metadata.tfjsTestMiou;
    if (typeof m !== 'number' || !(m >= 0 && m <= 1)) fail('tfjsTestMiou', `expected a number in [0, 1], got ${JSON.stringify(m)}`);
    out.tfjsTestMiou = m as number;
  }

  if (metadata.source !== undefined) {
    const s = metadata.source;
    if (!isObject(s) || typeof s.run !== 'string' || !Number.isInteger(s.epochs) || typeof s.exportedAt !== 'string' || typeof s.toolVersion !== 'string') {
      fail('source', 'expected an object { run, epochs, exportedAt, toolVersion }');
    }
    const src = s as Record<string, unknown>;
    out.source = { run: src.run as string, epochs: src.epochs as number, exportedAt: src.exportedAt as string, toolVersion: src.toolVersion as string };
  }
  return out;
}
