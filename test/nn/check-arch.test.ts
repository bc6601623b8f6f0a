import { describe, expect, it } from 'vitest';
import { checkArchBuildable } from '../../src/nn/check-arch.js';
import type { Arch } from '../../src/space/arch.js';
import { UsageError } from '../../src/util/errors.js';
import { tinyArch } from './helpers/archs.js';

const broken = (edit: (a: Arch) => void): Arch => {
  const a = tinyArch({ blocksPerStage: [2, 1] });
  edit(a);
  return a;
};

describe('checkArchBuildable', () => {
  it('accepts the test archs', () => {
    expect(() => checkArchBuildable(tinyArch({ blocksPerStage: [2, 1] }))).not.toThrow();
  });

  it.each<[string, (a: Arch) => void, RegExp]>([
    ['a group past the last block', (a) => (a.groups[2]!.end = 4), /groups\[2\]\.end: expected an integer in 3\.\.3/],
    ['a gap between groups', (a) => (a.groups[1]!.start = 2), /groups\[1\]\.start: expected 1/],
    ['groups not covering every block', (a) => a.groups.pop(), /groups\[1\]\.end: expected 3/],
    ['a stage without a width', (a) => (a.blocks[2]!.stage = 2), /blocks\[2\]\.stage/],
    ['a width that is not a positive integer', (a) => (a.widths[1] = 7.5), /widths\[1\]/],
    ['an even kernel', (a) => (a.blocks[0]!.kernel = 2), /blocks\[0\]\.kernel: expected an odd/],
    ['strided dilation', (a) => (a.blocks[2]!.dilation = 2), /blocks\[2\]\.dilation/],
    ['bases of the wrong length', (a) => a.bases.pop(), /bases: expected an array with one entry per group \(3\)/],
    ['unsupported bits', (a) => ((a.bits as number[])[0] = 3), /bits\[0\]: expected one of 1, 2, 4, 32/],
    ['zero bases', (a) => (a.bases[1] = 0), /bases\[1\]: expected a positive integer/],
    ['connections of the wrong length', (a) => a.connections.push('soft'), /connections: expected an array with one entry per group boundary \(2\)/],
    ['an unknown connection', (a) => ((a.connections as string[])[0] = 'dense'), /connections\[0\]/],
    ['an unknown block kind', (a) => ((a.blocks[0] as { kind: string }).kind = 'inverted'), /blocks\[0\]\.kind/],
  ])('refuses %s, naming the field', (_, edit, message) => {
    const arch = broken(edit);
    expect(() => checkArchBuildable(arch, 'my-arch.json')).toThrow(UsageError);
    expect(() => checkArchBuildable(arch, 'my-arch.json')).toThrow(message);
    expect(() => checkArchBuildable(arch, 'my-arch.json')).toThrow(/^my-arch\.json: /);
  });
});
