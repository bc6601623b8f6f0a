/**
 * Reading the JSON files groupnas writes (run.json, evaluation.json, reproduce.json, …):
 * one place that turns unreadable JSON and a wrong format/version stamp into errors naming the file.
 */
import { readFileSync } from 'node:fs';
import { FileFormatError, fileSystemError } from './errors.js';

/** The parsed contents of `file`; invalid JSON is a FileFormatError naming it, a file that cannot be read a FileSystemError. */
export function readJsonFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw fileSystemError(err, file) ?? err;
  }
  if (text.trim() === '') throw new FileFormatError(file, '', 'is empty (expected JSON)');
  try {
    return JSON.parse(text);
  } catch {
    throw new FileFormatError(file, '', 'is not valid JSON');
  }
}

/** A JSON object stamped `{ format, version }`, checked against the expected stamp; the other fields are the caller's to check. */
export function readStampedJsonFile<T>(file: string, format: string, version: number): T {
  const value = readJsonFile(file) as { format?: unknown; version?: unknown } | null;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new FileFormatError(file, '', 'expected an object');
  if (value.format !== format) throw new FileFormatError(file, 'format', `expected "${format}", found ${JSON.stringify(value.format)}`);
  if (value.version !== version) {
    throw new FileFormatError(file, 'version', `expected ${version}, found ${JSON.stringify(value.version)} (written by a newer groupnas?)`);
  }
  return value as T;
}
