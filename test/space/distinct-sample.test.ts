import { describe, expect, it } from 'vitest';
import { canonicalKey } from '../../src/space/canonical-arch.js';
import { loadConfig } from '../../src/space/config-file.js';
import { spaceFromConfig } from '../../src/space/config-space.js';
import { sampleDistinctArchs } from '../../src/space/distinct-sample.js';

describe('sampleDistinctArchs', () => {
  it('draws distinct architectures of the space, the same ones for the same seed', () => {
    const space = spaceFromConfig(loadConfig('tiny'));
    const archs = sampleDistinctArchs(space, 6, 3);
    expect(new Set(archs.map(canonicalKey)).size).toBe(6);
    for (const a of archs) expect(() => space.encode(a)).not.toThrow();
    expect(sampleDistinctArchs(space, 6, 3).map((a) => a.name)).toEqual(archs.map((a) => a.name));
    expect(() => sampleDistinctArchs(space, 100_000, 3)).toThrow(/only \d+ distinct architectures in \d+ draws, 100000 asked/);
  });
});
