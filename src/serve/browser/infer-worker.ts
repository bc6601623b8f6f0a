/**
 * The inference worker: the project's packed engine (src/kernels) on its wasm kernels, running in
 * the browser. It decodes and validates the `.gnb` exactly as Node does (decodeGnb, PackedModel),
 * normalizes images as `groupnas infer` does, and times `predict` with the same timing code — so
 * the page's predictions must equal `groupnas infer`'s, and its latency compares with Node's.
 * A worker keeps the page responsive while it computes, and may compile wasm synchronously.
 */
import { normalizeImages } from '../../data/augment.js';
import { decodeGnb } from '../../kernels/gnb-format.js';
import { measurePackedLatency } from '../../kernels/packed-inference.js';
import { PackedModel } from '../../kernels/packed-model.js';
import { WasmEngine } from '../../kernels/wasm-engine.js';
import type { WorkerReply, WorkerRequest } from './infer-protocol.js';

interface WorkerScope {
  onmessage: ((event: MessageEvent<WorkerRequest>) => void) | null;
  postMessage(message: WorkerReply, transfer?: Transferable[]): void;
}
const scope = self as unknown as WorkerScope;

const BATCH = 64;
let model: PackedModel | undefined;

function loaded(): PackedModel {
  if (model === undefined) throw new Error('no model loaded');
  return model;
}

function handle(request: WorkerRequest): void {
  if (request.type === 'load') {
    model = new PackedModel(decodeGnb(new Uint8Array(request.bytes), request.name), new WasmEngine(), request.name);
    const d = model.metadata.dataset;
    scope.postMessage({
      type: 'loaded',
      arch: model.arch.name ?? request.name,
      input: model.arch.input,
      classes: model.arch.head.classes,
      engine: model.engine.name,
      normalization: model.metadata.normalization ? 'model' : 'dataset',
      ...(d ? { dataset: { name: d.name, data: d.data, testImages: d.testImages } } : {}),
    });
    return;
  }
  const m = loaded();
  if (request.type === 'classify') {
    const { height, width, channels } = m.arch.input;
    const size = height * width * channels;
    if (request.pixels.length !== request.count * size) throw new Error(`expected ${request.count} images of ${height}×${width}×${channels}`);
    const images = normalizeImages(request.pixels, channels, m.metadata.normalization ?? request.stats);
    const classes = m.arch.head.classes;
    const logits = new Float32Array(request.count * classes);
    const started = performance.now();
    for (let start = 0; start < request.count; start += BATCH) {
      const n = Math.min(BATCH, request.count - start);
      logits.set(m.predict(images.subarray(start * size, (start + n) * size), n), start * classes);
    }
    const milliseconds = performance.now() - started;
    scope.postMessage({ type: 'classified', id: request.id, logits, classes, milliseconds }, [logits.buffer]);
    return;
  }
  // A longer warm-up than Node's: the browser compiles wasm with its baseline tier first and optimizes hot functions later.
  const t = measurePackedLatency(m, 1, { warmUpSeconds: 0.5, seconds: request.seconds, minRepeats: 5 });
  scope.postMessage({ type: 'latency', id: request.id, medianMs: t.medianSeconds * 1e3, repeats: t.repeats });
}

scope.onmessage = (event) => {
  try {
    handle(event.data);
  } catch (err) {
    scope.postMessage({ type: 'error', ...('id' in event.data ? { id: event.data.id } : {}), message: err instanceof Error ? err.message : String(err) });
  }
};
