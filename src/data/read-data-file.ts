import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { FileFormatError } from '../util/errors.js';

const GZIP_MAGIC = [0x1f, 0x8b] as const;

function startsWithGzipMagic(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1];
}

/**
 * The raw content of a data file: decompressed when it is gzip (recognized by its magic
 * bytes, so a raw file that happens to be named `.gz` or a gzip file without the suffix both
 * work). A missing file or a corrupt gzip stream becomes a FileFormatError naming the file.
 */
export function readDataFile(path: string): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = plain(readFileSync(path));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new FileFormatError(path, '', code === 'ENOENT' ? 'file not found' : `cannot read (${code ?? String(err)})`);
  }
  if (!startsWithGzipMagic(bytes)) {
    if (path.endsWith('.gz') && bytes.length > 0 && bytes[0] !== 0) {
      // Named .gz but neither gzip nor idx (idx files start with two zero bytes): a damaged download.
      throw new FileFormatError(path, 'gzip', `expected gzip magic 1f 8b, found ${hexBytes(bytes.subarray(0, 2))}`);
    }
    return bytes;
  }
  try {
    return plain(gunzipSync(bytes));
  } catch (err) {
    throw new FileFormatError(path, 'gzip', `corrupt or truncated gzip stream (${(err as Error).message})`);
  }
}

/** A plain Uint8Array view of a Buffer: Buffer's different `slice` and equality semantics stay out of our data. */
function plain(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

function hexBytes(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}
