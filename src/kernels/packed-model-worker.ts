/**
 * The worker of a PackedModelPool (packed-model-pool.ts): piscina loads this built file in each
 * worker thread; the thread loads the model once and predicts the slices it is handed.
 */
import { workerData } from 'node:worker_threads';
import type { EngineName } from './engine.js';
import { createEngine } from './engines.js';
import { loadPackedModel } from './packed-model-file.js';

export interface PackedSliceWorkerData {
  file: string;
  engine: EngineName;
}

/** A slice of a batch: `n` images (n = 0: only load the model). */
export interface PackedSlice {
  images: Float32Array;
  n: number;
}

const { file, engine } = workerData as PackedSliceWorkerData;
const model = loadPackedModel(file, createEngine(engine));

export default function predictSlice({ images, n }: PackedSlice): Float32Array {
  return n === 0 ? new Float32Array(0) : model.predict(images, n);
}
