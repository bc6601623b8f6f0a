/**
 * `.gnb`: a packed groupnas model (DESIGN §6) — the architecture, binary weights as packed
 * bits and everything else (stem, BN, α, λ, classifier) as float32, checksummed.
 *
 * Layout, all integers little-endian:
 *   0   4  magic 0x89 'G' 'N' 'B' (the high byte catches 7-bit / text-mode mangling)
 *   4   4  u32 format version (1)
 *   8   4  u32 header length H (bytes of UTF-8 JSON)
 *   12  4  u32 payload length P
 *   16  H  header JSON, then zero bytes up to a multiple of 16:
 *          { "arch": Arch, "tensors": [{ name, dtype, shape, offset, bytes }], "metadata": {…} }
 *   …   P  payload: tensor data at `offset` (from the payload start, 16-aligned)
 *   end 4  u32 CRC-32 of every byte before it
 * Tensor dtypes: `float32` (row-major, shape as in the state dict) and `binary`: the signs of
 * an HWIO conv kernel `[k, k, in, out]` packed as `PackedWeights` rows (out × k² × ⌈in/32⌉
 * u32 words, bit 1 = −1, padding bits 0).
 * Every read is bounds-checked; any defect is a FileFormatError naming the file and field.
 */
import { readFileSync } from 'node:fs';
import type { Arch } from '../space/arch.js';
import { archProblems } from '../space/arch-validation.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { FileFormatError } from '../util/errors.js';
import { crc32 } from 'node:zlib';
import { wordsFor } from './packing.js';
import { popcount32 } from './popcount.js';
import type { PackedWeights } from './weights.js';

export const GNB_MAGIC = [0x89, 0x47, 0x4e, 0x42] as const;
export const GNB_VERSION = 1;
const PREFIX_BYTES = 16;
const CHECKSUM_BYTES = 4;
const MAX_HEADER_BYTES = 64 * 2 ** 20;
const MAX_TENSORS = 1 << 20;
const MAX_ELEMENTS = 2 ** 30;
const MAX_NAME = 512;

export type GnbTensor =
  { dtype: 'float32'; shape: number[]; data: Float32Array } | { dtype: 'binary'; shape: [number, number, number, number]; weights: PackedWeights };

export interface GnbModel {
  arch: Arch;
  /** By state-dict name (e.g. `groups.0.bases.2.blocks.1.unit1.conv.weight`), in file order. */
  tensors: Map<string, GnbTensor>;
  /** Free-form provenance (export time, source run, tfjs accuracy, …). */
  metadata: Record<string, unknown>;
}

interface TensorRecord {
  name: string;
  dtype: 'float32' | 'binary';
  shape: number[];
  offset: number;
  bytes: number;
}

const align16 = (n: number): number => Math.ceil(n / 16) * 16;

function tensorBytes(dtype: 'float32' | 'binary', shape: readonly number[]): number {
  if (dtype === 'float32') return shape.reduce((a, b) => a * b, 1) * 4;
  const [k, , cin, cout] = shape as [number, number, number, number];
  return cout * k * k * wordsFor(cin) * 4;
}

// ───────────────────────────── writing ─────────────────────────────

/** Serialize a model. Refuses an invalid arch or inconsistent tensors (a bug in the exporter, not user input). */
export function encodeGnb(model: GnbModel): Uint8Array {
  const problems = archProblems(model.arch);
  if (problems.length > 0) throw new Error(`encodeGnb: invalid arch: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
  const records: TensorRecord[] = [];
  let payload = 0;
  for (const [name, t] of model.tensors) {
    if (t.dtype === 'binary') {
      const [k, k2, cin, cout] = t.shape;
      const w = t.weights;
      if (k !== k2 || w.kernel !== k || w.inChannels !== cin || w.outChannels !== cout)
        throw new Error(`encodeGnb: ${name}: packed weights do not match shape [${t.shape.join(', ')}]`);
    } else if (t.data.length !== t.shape.reduce((a, b) => a * b, 1)) {
      throw new Error(`encodeGnb: ${name}: ${t.data.length} values do not match shape [${t.shape.join(', ')}]`);
    }
    const bytes = tensorBytes(t.dtype, t.shape);
    records.push({ name, dtype: t.dtype, shape: [...t.shape], offset: payload, bytes });
    payload = align16(payload + bytes);
  }
  const header = new TextEncoder().encode(JSON.stringify({ arch: model.arch, tensors: records, metadata: model.metadata }));
  const payloadStart = PREFIX_BYTES + align16(header.length);
  const total = payloadStart + payload + CHECKSUM_BYTES;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  out.set(GNB_MAGIC, 0);
  view.setUint32(4, GNB_VERSION, true);
  view.setUint32(8, header.length, true);
  view.setUint32(12, payload, true);
  out.set(header, PREFIX_BYTES);
  records.forEach((r) => {
    const t = model.tensors.get(r.name)!;
    const at = payloadStart + r.offset;
    if (t.dtype === 'float32') t.data.forEach((v, i) => view.setFloat32(at + 4 * i, v, true));
    else t.weights.data.forEach((v, i) => view.setUint32(at + 4 * i, v, true));
  });
  view.setUint32(total - CHECKSUM_BYTES, crc32(out.subarray(0, total - CHECKSUM_BYTES)), true);
  return out;
}

/** Write a model atomically (temp file + rename): a reader never sees half a file. */
export function writeGnb(path: string, model: GnbModel): void {
  writeFileAtomic(path, encodeGnb(model));
}

// ───────────────────────────── reading ─────────────────────────────

export function readGnb(path: string): GnbModel {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new FileFormatError(path, '', `cannot read the file: ${(err as Error).message}`);
  }
  return decodeGnb(bytes, path);
}

/** Parse and validate a `.gnb` image; `file` names it in errors. */
export function decodeGnb(bytes: Uint8Array, file = '<gnb>'): GnbModel {
  const fail = (field: string, expected: string): never => {
    throw new FileFormatError(file, field, expected);
  };
  if (bytes.length < PREFIX_BYTES + CHECKSUM_BYTES)
    fail('', `truncated: ${bytes.length} bytes is shorter than the smallest .gnb file (${PREFIX_BYTES + CHECKSUM_BYTES})`);
  if (!GNB_MAGIC.every((b, i) => bytes[i] === b)) fail('magic', 'not a groupnas .gnb model (expected the bytes 89 47 4e 42 at the start)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(4, true);
  if (version !== GNB_VERSION) fail('version', `unsupported .gnb version ${version}: this groupnas reads version ${GNB_VERSION}`);
  const headerBytes = view.getUint32(8, true);
  const payloadBytes = view.getUint32(12, true);
  if (headerBytes < 2 || headerBytes > MAX_HEADER_BYTES) fail('header length', `expected 2..${MAX_HEADER_BYTES} bytes, got ${headerBytes}`);
  if (payloadBytes % 16 !== 0) fail('payload length', `expected a multiple of 16, got ${payloadBytes}`);
  const payloadStart = PREFIX_BYTES + align16(headerBytes);
  const expectedTotal = payloadStart + payloadBytes + CHECKSUM_BYTES;
  if (bytes.length < expectedTotal) fail('', `truncated: the header announces ${expectedTotal} bytes, the file has ${bytes.length}`);
  if (bytes.length > expectedTotal) fail('', `${bytes.length - expectedTotal} unexpected bytes after the end of the model (expected ${expectedTotal} bytes)`);
  const stored = view.getUint32(expectedTotal - CHECKSUM_BYTES, true);
  const actual = crc32(bytes.subarray(0, expectedTotal - CHECKSUM_BYTES));
  if (stored !== actual) fail('checksum', `CRC-32 mismatch (stored ${hex(stored)}, computed ${hex(actual)}): the file is corrupted`);

  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(PREFIX_BYTES, PREFIX_BYTES + headerBytes)));
  } catch (err) {
    return fail('header', `expected UTF-8 JSON: ${(err as Error).message}`);
  }
  for (let i = PREFIX_BYTES + headerBytes; i < payloadStart; i++) if (bytes[i] !== 0) fail('header', 'expected zero bytes between the header and the payload');
  if (!isObject(header)) return fail('header', 'expected a JSON object');

  const problems = archProblems(header.arch);
  if (problems.length > 0) fail(`header.arch${problems[0]!.path === '(root)' ? '' : `.${problems[0]!.path}`}`, problems[0]!.message);
  const metadata = header.metadata === undefined ? {} : header.metadata;
  if (!isObject(metadata)) fail('header.metadata', 'expected a JSON object');
  if (!Array.isArray(header.tensors)) return fail('header.tensors', 'expected an array');
  if (header.tensors.length > MAX_TENSORS) fail('header.tensors', `expected at most ${MAX_TENSORS} tensors, got ${header.tensors.length}`);

  const tensors = new Map<string, GnbTensor>();
  const claimed: [number, number, string][] = [];
  header.tensors.forEach((raw: unknown, i: number) => {
    const record = checkRecord(raw, `header.tensors[${i}]`, payloadBytes, fail);
    if (tensors.has(record.name)) fail(`header.tensors[${i}].name`, `duplicate tensor name ${JSON.stringify(record.name)}`);
    claimed.push([record.offset, record.offset + record.bytes, record.name]);
    tensors.set(record.name, readTensor(record, view, payloadStart, `header.tensors[${i}] (${record.name})`, fail));
  });
  claimed.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < claimed.length; i++) {
    if (claimed[i]![0] < claimed[i - 1]![1]) fail('header.tensors', `tensors ${claimed[i - 1]![2]} and ${claimed[i]![2]} overlap in the payload`);
  }
  return { arch: header.arch as Arch, tensors, metadata: metadata as Record<string, unknown> };
}

type Fail = (field: string, expected: string) => never;

function checkRecord(raw: unknown, field: string, payloadBytes: number, fail: Fail): TensorRecord {
  if (!isObject(raw)) return fail(field, 'expected an object { name, dtype, shape, offset, bytes }');
  const { name, dtype, shape, offset, bytes } = raw;
  if (typeof name !== 'string' || name.length < 1 || name.length > MAX_NAME) fail(`${field}.name`, `expected a string of 1..${MAX_NAME} characters`);
  if (dtype !== 'float32' && dtype !== 'binary') fail(`${field}.dtype`, `expected "float32" or "binary", got ${JSON.stringify(dtype)}`);
  if (!Array.isArray(shape) || shape.length > 8 || !shape.every((d) => Number.isInteger(d) && d >= 1 && d <= MAX_ELEMENTS)) {
    fail(`${field}.shape`, 'expected an array of at most 8 positive integers');
  }
  const dims = shape as number[];
  if (dims.reduce((a, b) => a * b, 1) > MAX_ELEMENTS) fail(`${field}.shape`, `expected at most ${MAX_ELEMENTS} elements`);
  if (dtype === 'binary' && (dims.length !== 4 || dims[0] !== dims[1]))
    fail(`${field}.shape`, `a binary tensor is an HWIO conv kernel [k, k, in, out], got [${dims.join(', ')}]`);
  if (!Number.isInteger(offset) || (offset as number) < 0 || (offset as number) % 16 !== 0)
    fail(`${field}.offset`, `expected a non-negative multiple of 16, got ${JSON.stringify(offset)}`);
  const size = tensorBytes(dtype as 'float32' | 'binary', dims);
  if (bytes !== size) fail(`${field}.bytes`, `expected ${size} for ${String(dtype)} [${dims.join(', ')}], got ${JSON.stringify(bytes)}`);
  if ((offset as number) + size > payloadBytes) fail(`${field}.offset`, `tensor ends at ${(offset as number) + size}, past the ${payloadBytes}-byte payload`);
  return { name: name as string, dtype: dtype as 'float32' | 'binary', shape: dims, offset: offset as number, bytes: size };
}

function readTensor(r: TensorRecord, view: DataView, payloadStart: number, field: string, fail: Fail): GnbTensor {
  const at = payloadStart + r.offset;
  if (r.dtype === 'float32') {
    const data = new Float32Array(r.bytes / 4);
    for (let i = 0; i < data.length; i++) {
      const v = view.getFloat32(at + 4 * i, true);
      if (!Number.isFinite(v)) fail(field, `value ${i} is ${v}; expected finite float32 values`);
      data[i] = v;
    }
    return { dtype: 'float32', shape: r.shape, data };
  }
  const [k, , cin, cout] = r.shape as [number, number, number, number];
  const words = wordsFor(cin);
  const taps = k * k;
  const data = new Uint32Array(r.bytes / 4);
  for (let i = 0; i < data.length; i++) data[i] = view.getUint32(at + 4 * i, true);
  // Padding bits must be 0 or every popcount over this tensor would be off.
  const unused = cin % 32 === 0 ? 0 : ~((1 << (cin % 32)) - 1) >>> 0;
  const tapSums = new Int32Array(cout * taps);
  for (let row = 0; row < cout * taps; row++) {
    if (data[row * words + words - 1]! & unused) fail(field, `padding bits of packed row ${row} are set; expected 0 beyond channel ${cin}`);
    let negatives = 0;
    for (let j = 0; j < words; j++) negatives += popcount32(data[row * words + j]!);
    tapSums[row] = cin - 2 * negatives;
  }
  return { dtype: 'binary', shape: [k, k, cin, cout], weights: { kernel: k, inChannels: cin, outChannels: cout, words, data, tapSums } };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}
