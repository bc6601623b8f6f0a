import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { FileFormatError } from '../../src/util/errors.js';

/** Edits a copy of a valid document in place (any field, hence `any`), or returns a replacement for it. */
export type Mutation = (doc: Record<string, any>) => unknown;

/** A malformed-file case: its label, how to break the valid document, what the error must say. */
export type MalformedCase = [label: string, mutate: Mutation, message: RegExp];

/**
 * Write `valid` broken by the case's mutation to `<dir>/<label>.json`, load it, and expect a
 * FileFormatError that names the file and says `message`.
 */
export function expectMalformedRejected(dir: string, valid: unknown, [label, mutate, message]: MalformedCase, load: (file: string) => unknown): void {
  const doc = structuredClone(valid) as Record<string, any>;
  const replaced = mutate(doc);
  const file = join(dir, `${label.replace(/\W+/g, '-')}.json`);
  writeFileSync(file, JSON.stringify(replaced ?? doc));
  let error: unknown;
  try {
    load(file);
  } catch (err) {
    error = err;
  }
  expect(error).toBeInstanceOf(FileFormatError);
  expect((error as Error).message).toContain(file);
  expect((error as Error).message).toMatch(message);
}
