/** Messages between the inference page and its worker (infer-worker.ts), which holds the model. */
import type { ChannelStats } from '../../data/dataset.js';

export type WorkerRequest =
  | { type: 'load'; bytes: ArrayBuffer; name: string }
  /** Raw uint8 NHWC images; `stats` normalizes them when the model carries no statistics of its own (older files). */
  | { type: 'classify'; id: number; pixels: Uint8Array; count: number; stats?: ChannelStats }
  | { type: 'latency'; id: number; seconds: number };

export type WorkerReply =
  | {
      type: 'loaded';
      arch: string;
      input: { height: number; width: number; channels: number };
      classes: number;
      engine: string;
      normalization: 'model' | 'dataset';
      dataset?: { name: string; data: string; testImages: number };
    }
  /** Logits, `count × classes`. */
  | { type: 'classified'; id: number; logits: Float32Array; classes: number; milliseconds: number }
  | { type: 'latency'; id: number; medianMs: number; repeats: number }
  | { type: 'error'; id?: number; message: string };
