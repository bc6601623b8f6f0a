/**
 * A run's packed model (`model.gnb`, or a candidate's) running in this page: the project's wasm
 * engine in a worker (infer-worker.ts) classifies the first test images of the data set the model
 * was trained on — the images `groupnas infer` classifies — and any image dropped on the page.
 * Shown: each prediction with its per-class scores, and the latency of one image measured here
 * next to the same engine's latency measured in Node by the server (and the latency the search
 * recorded, where the model is one of its candidates).
 */
import type { SearchView } from '../index.js';
import { getJson, getRunView, queryParam, runPath, type NodeLatency, type RunView, type TestImages } from './api.js';
import type { WorkerReply, WorkerRequest } from './infer-protocol.js';
import { byId, el, ms, percent, runLink, showError } from './dom.js';

const TEST_IMAGES = 100;

/** The worker behind request/reply promises. */
class Engine {
  private readonly worker = new Worker('/assets/infer-worker.js', { type: 'module' });
  private next = 0;
  private readonly waiting = new Map<number | 'load', (reply: WorkerReply) => void>();

  constructor() {
    this.worker.onmessage = (event: MessageEvent<WorkerReply>) => {
      const reply = event.data;
      const key = reply.type === 'loaded' ? 'load' : 'id' in reply && reply.id !== undefined ? reply.id : 'load';
      this.waiting.get(key)?.(reply);
      this.waiting.delete(key);
    };
  }

  private ask<T extends WorkerReply['type']>(
    request: WorkerRequest,
    key: number | 'load',
    transfer: Transferable[] = [],
  ): Promise<Extract<WorkerReply, { type: T }>> {
    return new Promise((resolve, reject) => {
      this.waiting.set(key, (reply) => (reply.type === 'error' ? reject(new Error(reply.message)) : resolve(reply as Extract<WorkerReply, { type: T }>)));
      this.worker.postMessage(request, transfer);
    });
  }

  load(bytes: ArrayBuffer, name: string) {
    return this.ask<'loaded'>({ type: 'load', bytes, name }, 'load', [bytes]);
  }

  classify(pixels: Uint8Array, count: number, stats?: TestImages['stats']) {
    const id = this.next++;
    return this.ask<'classified'>({ type: 'classify', id, pixels, count, ...(stats ? { stats } : {}) }, id);
  }

  latency(seconds: number) {
    const id = this.next++;
    return this.ask<'latency'>({ type: 'latency', id, seconds }, id);
  }
}

function softmax(logits: Float32Array, at: number, classes: number): number[] {
  const row = Array.from(logits.subarray(at * classes, (at + 1) * classes));
  const max = Math.max(...row);
  const exp = row.map((v) => Math.exp(v - max));
  const sum = exp.reduce((a, b) => a + b, 0);
  return exp.map((v) => v / sum);
}

const argmax = (scores: readonly number[]) => scores.reduce((best, v, i) => (v > scores[best]! ? i : best), 0);

function decodeBase64(text: string): Uint8Array {
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/** One image (uint8, HWC) drawn on a canvas of its own size. */
function imageCanvas(pixels: Uint8Array, height: number, width: number, channels: number): HTMLCanvasElement {
  const canvas = el('canvas', { width: String(width), height: String(height) });
  const ctx = canvas.getContext('2d')!;
  const data = ctx.createImageData(width, height);
  for (let p = 0; p < height * width; p++) {
    for (let c = 0; c < 3; c++) data.data[4 * p + c] = pixels[p * channels + (channels === 1 ? 0 : c)]!;
    data.data[4 * p + 3] = 255;
  }
  ctx.putImageData(data, 0, 0);
  return canvas;
}

function scoreList(scores: readonly number[], classes: readonly string[], label?: number): HTMLElement {
  const top = argmax(scores);
  return el(
    'div',
    { class: 'scores', 'data-predicted': String(top) },
    ...scores.flatMap((s, c) => [
      el('span', {}, `${classes[c] ?? c}${c === label ? ' (true)' : ''}`),
      el('div', {}, el('div', { class: `bar${c === top ? ' top' : ''}`, style: `width: ${(s * 100).toFixed(1)}%` })),
      el('span', {}, percent(s, 1)),
    ]),
  );
}

/** A dropped image as the model's input: scaled to its size, grey when it takes one channel (inverted if light on dark is wanted). */
async function imageToInput(file: Blob, height: number, width: number, channels: number, invert: boolean): Promise<Uint8Array> {
  const bitmap = await createImageBitmap(file);
  const canvas = el('canvas', { width: String(width), height: String(height) });
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = 'white';
  ctx.fillRect(0, 0, width, height);
  ctx.drawImage(bitmap, 0, 0, width, height);
  const rgba = ctx.getImageData(0, 0, width, height).data;
  const out = new Uint8Array(height * width * channels);
  for (let p = 0; p < height * width; p++) {
    const [r, g, b] = [rgba[4 * p]!, rgba[4 * p + 1]!, rgba[4 * p + 2]!];
    if (channels === 1) {
      const grey = Math.round(0.299 * r + 0.587 * g + 0.114 * b);
      out[p] = invert ? 255 - grey : grey;
    } else for (let c = 0; c < channels; c++) out[p * channels + c] = invert ? 255 - [r, g, b][c]! : [r, g, b][c]!;
  }
  return out;
}

/** The latency the search measured for this model, when it is one of the run's candidates. */
function recordedLatency(view: RunView, model: string): { ms: number; engine: string } | undefined {
  if (view.kind !== 'search') return undefined;
  const s = view as SearchView;
  const row =
    model === 'model.gnb' && s.chosen?.index !== undefined ? s.candidates[s.chosen.index] : [...s.candidates, ...s.presets].find((c) => c.model === model);
  return row?.latencyMs !== undefined ? { ms: row.latencyMs, engine: row.latencyEngine ?? '?' } : undefined;
}

async function start(): Promise<void> {
  const main = byId('main');
  const id = queryParam('id');
  const model = new URLSearchParams(location.search).get('model') ?? 'model.gnb';
  byId('crumbs').replaceChildren(' / ', runLink(id), ` / ${model} in the browser`);
  const engine = new Engine();
  const bytes = await (async () => {
    const response = await fetch(`${runPath(id)}/files/${model.split('/').map(encodeURIComponent).join('/')}`);
    if (!response.ok) throw new Error(((await response.json().catch(() => ({}))) as { error?: string }).error ?? `${response.status}`);
    return response.arrayBuffer();
  })();
  const info = await engine.load(bytes, model);
  const { height, width, channels } = info.input;

  const status = el('p', { class: 'muted', id: 'infer-status' }, 'classifying the test images…');
  const latency = el('div', { class: 'facts', id: 'latency' }, el('div', {}, 'measuring latency…'));
  const detail = el('div', { class: 'card', id: 'detail' }, el('span', { class: 'muted' }, 'click an image to see its scores'));
  const thumbs = el('div', { class: 'thumbs', id: 'thumbs' });
  const invert = el('input', { type: 'checkbox', id: 'invert' });
  invert.checked = channels === 1;
  const fileInput = el('input', { type: 'file', accept: 'image/*', id: 'image-file' });
  const drop = el('div', { class: 'drop', id: 'drop' }, 'drop an image here, or ', fileInput);
  const dropped = el('div', { class: 'card', id: 'dropped' });
  main.replaceChildren(
    el('h1', {}, `${info.arch} in the browser`),
    el(
      'div',
      { class: 'facts' },
      el('div', {}, el('span', {}, 'model'), model),
      el('div', {}, el('span', {}, 'engine'), `${info.engine} (WebAssembly, in a worker)`),
      el('div', {}, el('span', {}, 'input'), `${height}×${width}×${channels}, ${info.classes} classes`),
      el('div', {}, el('span', {}, 'trained on'), info.dataset ? `${info.dataset.name}` : 'unknown'),
    ),
    el('h2', {}, 'Latency of one image (batch 1, median)'),
    latency,
    el('h2', {}, `The first ${TEST_IMAGES} test images`),
    status,
    el('div', { class: 'pareto' }, thumbs, detail),
    el('h2', {}, 'Your image'),
    el('div', { class: 'toolbar' }, el('label', {}, invert, ' invert (the data set is light on dark)')),
    drop,
    dropped,
  );

  let classes: readonly string[] = Array.from({ length: info.classes }, (_, c) => String(c));
  try {
    const test = await getJson<TestImages>(`${runPath(id)}/test-images?model=${encodeURIComponent(model)}&count=${TEST_IMAGES}`);
    classes = test.classes;
    const pixels = decodeBase64(test.pixels);
    const result = await engine.classify(pixels, test.count, info.normalization === 'dataset' ? test.stats : undefined);
    const predictions: number[] = [];
    let correct = 0;
    const size = height * width * channels;
    for (let i = 0; i < test.count; i++) {
      const scores = softmax(result.logits, i, result.classes);
      const predicted = argmax(scores);
      predictions.push(predicted);
      const label = test.labels[i]!;
      if (predicted === label) correct++;
      const thumb = el(
        'div',
        { class: `thumb ${predicted === label ? 'right' : 'wrong'}`, 'data-index': String(i), title: `true: ${classes[label]}` },
        imageCanvas(pixels.subarray(i * size, (i + 1) * size), height, width, channels),
        classes[predicted] ?? String(predicted),
      );
      thumb.addEventListener('click', () => {
        for (const t of thumbs.querySelectorAll('.selected')) t.classList.remove('selected');
        thumb.classList.add('selected');
        detail.replaceChildren(
          el('div', {}, el('b', {}, `test image ${test.offset + i}`), ` — true class ${classes[label]}, predicted ${classes[predicted]}`),
          scoreList(scores, classes, label),
        );
      });
      thumbs.append(thumb);
    }
    status.replaceChildren(
      el('span', { class: 'big', id: 'accuracy' }, `${correct}/${test.count} correct`),
      ` (${percent(correct / test.count)}) on ${test.dataset} test images ${test.offset}–${test.offset + test.count - 1}, classified in ${result.milliseconds.toFixed(0)} ms`,
    );
    status.id = 'infer-status';
    status.append(el('span', { id: 'predictions', 'data-predicted': predictions.join(','), 'data-count': String(test.count), hidden: '' }));
    (thumbs.firstElementChild as HTMLElement | null)?.click();
  } catch (err) {
    status.replaceChildren(el('div', { class: 'error' }, `test images: ${(err as Error).message}`));
  }

  const classifyDropped = async (file: Blob) => {
    try {
      const pixels = await imageToInput(file, height, width, channels, invert.checked);
      const result = await engine.classify(pixels, 1);
      const scores = softmax(result.logits, 0, result.classes);
      const predicted = argmax(scores);
      const shown = imageCanvas(pixels, height, width, channels);
      shown.style.width = '112px';
      shown.style.imageRendering = 'pixelated';
      dropped.replaceChildren(
        el('div', { class: 'big', id: 'dropped-prediction', 'data-class': String(predicted) }, classes[predicted] ?? String(predicted)),
        el('div', { class: 'muted' }, 'as the model sees it:'),
        shown,
        scoreList(scores, classes),
      );
    } catch (err) {
      showError(dropped, `cannot classify that image: ${(err as Error).message}`);
    }
  };
  drop.addEventListener('dragover', (e) => {
    e.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    const file = e.dataTransfer?.files[0];
    if (file) void classifyDropped(file);
  });
  fileInput.addEventListener('change', () => {
    const file = fileInput.files?.[0];
    if (file) void classifyDropped(file);
  });

  // Latency last: measuring keeps the worker busy for about a second.
  const [browser, node, view] = await Promise.all([
    engine.latency(0.5),
    getJson<NodeLatency>(`${runPath(id)}/model-latency?model=${encodeURIComponent(model)}`).catch((err: Error) => err),
    getRunView(id).catch(() => undefined),
  ]);
  const recorded = view ? recordedLatency(view, model) : undefined;
  latency.replaceChildren(
    el(
      'div',
      { id: 'browser-latency', 'data-ms': String(browser.medianMs) },
      el('span', {}, 'this browser (wasm)'),
      `${ms(browser.medianMs)} (median of ${browser.repeats})`,
    ),
    node instanceof Error
      ? el('div', { class: 'error' }, `Node: ${node.message}`)
      : el(
          'div',
          { id: 'node-latency', 'data-ms': String(node.medianMs) },
          el('span', {}, `Node (${node.engine}, ${node.cpu})`),
          `${ms(node.medianMs)} (median of ${node.repeats})`,
        ),
    recorded ? el('div', { id: 'recorded-latency' }, el('span', {}, `recorded by the search (${recorded.engine})`), ms(recorded.ms)) : el('span', {}),
  );
}

start().catch((err: Error) => showError(byId('main'), err.message));
