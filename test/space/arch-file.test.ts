import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRng } from '../../src/util/random.js';
import { expectMalformedRejected, type MalformedCase } from '../helpers/malformed-json.js';
import {
  activationBits,
  archProblems,
  bases,
  buildPreset,
  dilation,
  groupBoundary,
  loadArch,
  parseArch,
  saveArch,
  SearchSpace,
  stageWidth,
  ValidationError,
  type Arch,
} from '../../src/space/index.js';

const dir = mkdtempSync(join(tmpdir(), 'groupnas-arch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const valid = buildPreset('groupnet-k5', { widthMultiplier: 0.5 });

describe('saveArch / loadArch', () => {
  it('round-trips 1,000 sampled architectures through files', () => {
    const space = new SearchSpace({
      template: valid,
      decisions: [bases(), groupBoundary(), stageWidth(), activationBits(), dilation({ sites: [5] })],
    });
    const rng = createRng(11);
    const file = join(dir, 'round-trip.json');
    for (let i = 0; i < 1000; i++) {
      const arch = space.sample(rng);
      arch.metrics = { accuracy: 0.5 + i / 4000, bops: i };
      saveArch(file, arch);
      expect(loadArch(file)).toEqual(arch);
    }
    expect(readdirSync(dir)).toEqual(['round-trip.json']); // no temp files left behind
  });

  it('refuses to save an invalid architecture and leaves no file', () => {
    const file = join(dir, 'never.json');
    expect(() => saveArch(file, { ...valid, bases: [9] })).toThrow(ValidationError);
    expect(readdirSync(dir)).not.toContain('never.json');
  });

  it('errors name the file', () => {
    expect(() => loadArch(join(dir, 'missing.json'))).toThrow(/missing\.json: \(root\): no such file/);
  });
});

/** Each case: a change that makes an arch.json invalid, and the path + message the error must name. */
const malformed: MalformedCase[] = [
  [
    'missing field',
    (a) => {
      delete a.stem;
    },
    /stem: required field is missing/,
  ],
  [
    'missing nested field',
    (a) => {
      delete a.blocks[2].kernel;
    },
    /blocks\[2\]\.kernel: required field is missing/,
  ],
  [
    'wrong type',
    (a) => {
      a.widths[1] = '64';
    },
    /widths\[1\]: expected integer, got "64"/,
  ],
  [
    'wrong type (object for array)',
    (a) => {
      a.groups = {};
    },
    /groups: expected array/,
  ],
  [
    'out of range stride',
    (a) => {
      a.blocks[0].stride = 3;
    },
    /blocks\[0\]\.stride: expected one of 1, 2, got 3/,
  ],
  [
    'negative width',
    (a) => {
      a.widths[0] = -4;
    },
    /widths\[0\]: expected a number >= 1, got -4/,
  ],
  [
    'unknown block kind',
    (a) => {
      a.blocks[1].kind = 'dense';
    },
    /blocks\[1\]\.kind: expected one of "basic", "bottleneck", "plain"/,
  ],
  [
    'unknown version',
    (a) => {
      a.version = 2;
    },
    /version: unsupported arch\.json version 2: this groupnas reads version 1/,
  ],
  [
    'missing version',
    (a) => {
      delete a.version;
    },
    /version: unsupported arch\.json version \(missing\)/,
  ],
  [
    'wrong format',
    (a) => {
      a.format = 'groupnas.config';
    },
    /format: expected "groupnas\.arch", got "groupnas\.config"/,
  ],
  [
    'extra field',
    (a) => {
      a.optimizer = 'adam';
    },
    /optimizer: unknown field/,
  ],
  [
    'extra nested field',
    (a) => {
      a.stem.padding = 'same';
    },
    /stem\.padding: unknown field/,
  ],
  [
    'bases > max',
    (a) => {
      a.bases[3] = 9;
    },
    /bases\[3\]: expected a number <= 8, got 9/,
  ],
  [
    'bases = 0',
    (a) => {
      a.bases[0] = 0;
    },
    /bases\[0\]: expected a number >= 1, got 0/,
  ],
  [
    'bits not allowed',
    (a) => {
      a.bits[2] = 3;
    },
    /bits\[2\]: expected one of 1, 2, 4, 32, got 3/,
  ],
  [
    'group past the last block',
    (a) => {
      a.groups[5].end = 7;
    },
    /groups\[5\]\.end: expected ≤ 6 \(there are 6 blocks\), got 7/,
  ],
  [
    'gap between groups',
    (a) => {
      a.groups[2].start = 3;
    },
    /groups\[2\]\.start: expected 2, got 3/,
  ],
  [
    'blocks left without a group',
    (a) => {
      a.groups.pop();
      a.bases.pop();
      a.bits.pop();
      a.connections.pop();
    },
    /groups\[4\]\.end: expected 6: blocks 5\.\.5 belong to no group/,
  ],
  [
    'empty group',
    (a) => {
      a.groups[1].end = 1;
    },
    /groups\[1\]\.end: expected > start \(1\), got 1/,
  ],
  [
    'bases per group mismatch',
    (a) => {
      a.bases.push(5);
    },
    /bases: expected one entry per group \(6\), got 7/,
  ],
  [
    'bits per group mismatch',
    (a) => {
      a.bits.pop();
    },
    /bits: expected one entry per group \(6\), got 5/,
  ],
  [
    'connections ≠ groups − 1',
    (a) => {
      a.connections.push('soft');
    },
    /connections: expected one entry per boundary between groups \(5\), got 6/,
  ],
  [
    'unknown connection',
    (a) => {
      a.connections[0] = 'hard';
    },
    /connections\[0\]: expected one of "aggregate", "soft"/,
  ],
  [
    'stage index out of range',
    (a) => {
      a.blocks[5].stage = 3;
    },
    /blocks\[5\]\.stage: expected a stage index < 3/,
  ],
  [
    'stages out of order',
    (a) => {
      a.blocks[3].stage = 0;
      a.blocks[2].stage = 2;
    },
    /blocks\[3\]\.stage: expected ≥ 2/,
  ],
  [
    'stage with no blocks',
    (a) => {
      a.widths.push(256);
    },
    /widths\[3\]: stage 3 has no blocks/,
  ],
  [
    'dilation on a stride-2 block',
    (a) => {
      a.blocks[2].dilation = 2;
    },
    /blocks\[2\]\.dilation: expected 1 on a stride-2 block/,
  ],
  [
    'even kernel',
    (a) => {
      a.blocks[0].kernel = 4;
    },
    /blocks\[0\]\.kernel: expected an odd kernel/,
  ],
  [
    'layer decomposition with soft connections',
    (a) => {
      a.decomposition = 'layer';
    },
    /connections\[0\]: expected "aggregate": decomposition "layer"/,
  ],
  [
    'no blocks',
    (a) => {
      a.blocks = [];
    },
    /blocks: must NOT have fewer than 1 items/,
  ],
  [
    'accuracy above 1',
    (a) => {
      a.metrics = { accuracy: 85 };
    },
    /metrics\.accuracy: expected a number <= 1, got 85/,
  ],
  [
    'provenance from another tool',
    (a) => {
      a.provenance.tool = 'larq';
    },
    /provenance\.tool: expected "groupnas", got "larq"/,
  ],
  ['top level is an array', () => [1, 2], /\(root\): expected a JSON object, got an array/],
];

describe('malformed arch.json files are rejected with the path', () => {
  for (const malformedCase of malformed) {
    it(malformedCase[0], () => expectMalformedRejected(dir, valid, malformedCase, loadArch));
  }

  it('invalid JSON', () => {
    const file = join(dir, 'broken.json');
    writeFileSync(file, '{"format": "groupnas.arch",');
    expect(() => loadArch(file)).toThrow(/broken\.json: \(root\): invalid JSON/);
  });

  it('empty file', () => {
    const file = join(dir, 'empty.json');
    writeFileSync(file, '  \n');
    expect(() => loadArch(file)).toThrow(/empty\.json: \(root\): the file is empty/);
  });

  it('reports every problem, not just the first', () => {
    const doc = structuredClone(valid) as unknown as Record<string, any>;
    doc.widths[0] = 0;
    doc.blocks[1].stride = 5;
    doc.extra = true;
    const problems = archProblems(doc);
    expect(problems.map((p) => p.path).sort()).toEqual(['blocks[1].stride', 'extra', 'widths[0]']);
  });

  it('parseArch accepts what saveArch writes', () => {
    const file = join(dir, 'ok.json');
    saveArch(file, valid);
    expect(parseArch(readFileSync(file, 'utf8'))).toEqual(valid as Arch);
  });
});
