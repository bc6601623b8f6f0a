import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileFormatError } from '../../src/util/errors.js';
import { readJsonFile, readStampedJsonFile } from '../../src/util/json-file.js';

function fileWith(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'json-file-')), 'f.json');
  writeFileSync(file, text);
  return file;
}

describe('readJsonFile', () => {
  it('parses JSON and names the file when it is not JSON', () => {
    expect(readJsonFile(fileWith('{"a":[1,2]}'))).toEqual({ a: [1, 2] });
    const bad = fileWith('{"a":');
    expect(() => readJsonFile(bad)).toThrow(FileFormatError);
    expect(() => readJsonFile(bad)).toThrow(bad);
  });
});

describe('readStampedJsonFile', () => {
  it('returns an object with the expected stamp', () => {
    const file = fileWith('{"format":"groupnas.x","version":2,"n":3}');
    expect(readStampedJsonFile<{ n: number }>(file, 'groupnas.x', 2).n).toBe(3);
  });

  it('names the field and what was expected when the stamp is wrong', () => {
    expect(() => readStampedJsonFile(fileWith('{"format":"other","version":2}'), 'groupnas.x', 2)).toThrow(/format.*expected "groupnas\.x", found "other"/);
    expect(() => readStampedJsonFile(fileWith('{"format":"groupnas.x","version":3}'), 'groupnas.x', 2)).toThrow(/version.*expected 2, found 3/);
    expect(() => readStampedJsonFile(fileWith('[1]'), 'groupnas.x', 2)).toThrow(/expected an object/);
    expect(() => readStampedJsonFile(fileWith('null'), 'groupnas.x', 2)).toThrow(/expected an object/);
  });
});
