import { describe, expect, it } from 'vitest';
import { FileFormatError, UsageError } from '../../src/util/errors.js';
import { isSound, readerRefusal } from '../../src/util/file-check.js';

/** A reader's refusal with several problems, one per line, as a schema's ValidationError words them. */
class SeveralProblems extends FileFormatError {
  constructor(file: string, problems: string[]) {
    super(file, '', problems[0]!);
    this.message = problems.map((p) => `${file}: ${p}`).join('\n');
  }
}

describe('readerRefusal', () => {
  it('undefined when the reader accepts the file', () => {
    expect(readerRefusal(() => 1)).toBeUndefined();
  });

  it('a typed refusal on one line: the file named once, three problems told, the rest counted', () => {
    expect(
      readerRefusal(() => {
        throw new FileFormatError('/r/a.json', 'x', 'expected number');
      }),
    ).toBe('/r/a.json: x: expected number');
    const five = ['a: missing', 'b: missing', 'c: missing', 'd: missing', 'e: missing'];
    expect(
      readerRefusal(() => {
        throw new SeveralProblems('/r/b.json', five);
      }),
    ).toBe('/r/b.json: a: missing; b: missing; c: missing (and 2 more)');
    expect(
      readerRefusal(() => {
        throw new UsageError('/r: not a run');
      }),
    ).toBe('/r: not a run');
  });

  it('a bug is not a refusal: it is thrown', () => {
    expect(() =>
      readerRefusal(() => {
        throw new TypeError('x is undefined');
      }),
    ).toThrow(TypeError);
  });
});

describe('isSound', () => {
  it('ok and absent files are sound; missing and damaged ones are not', () => {
    expect((['ok', 'absent', 'missing', 'damaged'] as const).map((state) => isSound({ file: 'f', state }))).toEqual([true, true, false, false]);
  });
});
