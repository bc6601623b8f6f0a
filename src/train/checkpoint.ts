import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import * as tf from '../util/tfjs.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { FileFormatError } from '../util/errors.js';

/**
 * A checkpoint: named float32 tensors plus JSON metadata, in one file so it is replaced
 * atomically as a whole (a kill never leaves weights from one epoch beside metadata of another).
 *
 *   "GNCK" | u32 version | u32 header length | header JSON | float32 data | sha256 of all before
 *
 * The header lists each tensor's name, shape and element offset into the data.
 */
const MAGIC = 'GNCK';
const VERSION = 1;

export interface TensorEntry {
  name: string;
  shape: number[];
  offset: number;
}

export interface Checkpoint<M> {
  meta: M;
  /** Owned by the caller: dispose them. */
  tensors: Record<string, tf.Tensor>;
}

export function saveCheckpoint(path: string, meta: unknown, tensors: Record<string, tf.Tensor>): void {
  const entries: TensorEntry[] = [];
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    entries.push({ name, shape: t.shape, offset });
    offset += t.size;
  }
  const header = Buffer.from(JSON.stringify({ meta, tensors: entries }), 'utf8');
  const pad = (4 - ((12 + header.length) % 4)) % 4; // float32 data starts 4-byte aligned
  const data = new Float32Array(offset);
  for (const e of entries) data.set(tensors[e.name]!.dataSync() as Float32Array, e.offset);
  const prefix = Buffer.alloc(12);
  prefix.write(MAGIC, 0, 'ascii');
  prefix.writeUInt32LE(VERSION, 4);
  prefix.writeUInt32LE(header.length + pad, 8);
  const body = Buffer.concat([prefix, header, Buffer.alloc(pad, 0x20), Buffer.from(data.buffer, data.byteOffset, data.byteLength)]);
  const digest = createHash('sha256').update(body).digest();
  writeFileAtomic(path, Buffer.concat([body, digest]));
}

/** Floats a tensor entry spans in the data section. */
const entrySize = (e: TensorEntry) => e.shape.reduce((a, b) => a * b, 1);

/** A checkpoint file checked whole (magic, version, checksum, header, every tensor's extent), its tensors still as data. */
export interface CheckpointFile<M> {
  meta: M;
  tensors: readonly TensorEntry[];
  data: Float32Array;
}

/**
 * Read and check a checkpoint without making tensors of it: what loadCheckpoint builds on, and all
 * that `groupnas validate` needs to tell a sound checkpoint from a damaged one.
 */
export function readCheckpointFile<M>(path: string): CheckpointFile<M> {
  let file: Buffer;
  try {
    file = readFileSync(path);
  } catch (err) {
    throw new FileFormatError(path, '', `cannot read checkpoint (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  if (file.length < 12 + 32) throw new FileFormatError(path, 'file', `truncated: ${file.length} bytes is too short for a checkpoint`);
  if (file.toString('ascii', 0, 4) !== MAGIC) throw new FileFormatError(path, 'magic', `expected "${MAGIC}" (a groupnas checkpoint)`);
  const version = file.readUInt32LE(4);
  if (version !== VERSION) throw new FileFormatError(path, 'version', `expected ${VERSION}, found ${version}`);
  const body = file.subarray(0, file.length - 32);
  if (
    !createHash('sha256')
      .update(body)
      .digest()
      .equals(file.subarray(file.length - 32))
  ) {
    throw new FileFormatError(path, 'checksum', 'sha256 does not match: the file is corrupted or truncated');
  }
  const headerLength = file.readUInt32LE(8);
  if (12 + headerLength > body.length) throw new FileFormatError(path, 'header', 'length runs past the end of the file');
  let header: { meta: M; tensors: TensorEntry[] };
  try {
    header = JSON.parse(body.toString('utf8', 12, 12 + headerLength)) as { meta: M; tensors: TensorEntry[] };
  } catch {
    throw new FileFormatError(path, 'header', 'is not valid JSON');
  }
  const dataBytes = body.subarray(12 + headerLength);
  const data = new Float32Array(dataBytes.buffer.slice(dataBytes.byteOffset, dataBytes.byteOffset + dataBytes.byteLength));
  for (const e of header.tensors) {
    if (e.offset + entrySize(e) > data.length) throw new FileFormatError(path, `tensors.${e.name}`, 'data runs past the end of the file');
  }
  return { meta: header.meta, tensors: header.tensors, data };
}

export function loadCheckpoint<M>(path: string): Checkpoint<M> {
  const { meta, tensors: entries, data } = readCheckpointFile<M>(path);
  const tensors: Record<string, tf.Tensor> = {};
  for (const e of entries) tensors[e.name] = tf.tensor(data.subarray(e.offset, e.offset + entrySize(e)), e.shape, 'float32');
  return { meta, tensors };
}

/**
 * The entries under `prefix/`, with the prefix taken off: a checkpoint holds several state dicts
 * side by side (`model/…` and `optimizer/…`; the supernet's `supernet/…`, `alpha/…`, …).
 */
export function tensorsUnder(tensors: Record<string, tf.Tensor>, prefix: string): Record<string, tf.Tensor> {
  return Object.fromEntries(
    Object.entries(tensors)
      .filter(([n]) => n.startsWith(`${prefix}/`))
      .map(([n, t]) => [n.slice(prefix.length + 1), t]),
  );
}

/** The inverse of `tensorsUnder`: every entry of `tensors` as `prefix/name`. */
export function tensorsPrefixed(prefix: string, tensors: Record<string, tf.Tensor>): Record<string, tf.Tensor> {
  return Object.fromEntries(Object.entries(tensors).map(([n, t]) => [`${prefix}/${n}`, t]));
}
