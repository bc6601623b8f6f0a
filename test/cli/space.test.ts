import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import space from '../../src/cli/commands/space.js';
import { buildPreset, summarize } from '../../src/space/index.js';
import { PACKAGE_ROOT } from '../../src/util/version.js';
import { runCommand } from './run-command.js';

const tiny = join(PACKAGE_ROOT, 'configs', 'tiny.json');

describe('groupnas space', () => {
  it('prints decisions, choice counts, size and the BOPs range', async () => {
    const { stdout, exitCode } = await runCommand(space, ['space', '--config', tiny]);
    expect(exitCode).toBe(0);
    expect(stdout).toMatch(/^bases\s+group\s+base-mask\s+6\s+1, 2 \(2\)$/m);
    expect(stdout).toMatch(/^groupBoundary\s+boundary\s+connection-mix\s+5\s+continue, aggregate, soft \(3\)$/m);
    expect(stdout).toMatch(/^architectures: \d+ \(10\^/m);
    expect(stdout).toMatch(/^bops\s+\S+ \S* ?\.\. /m);
  });

  it('--json: exact size and range, consistent with summary', async () => {
    const { stdout } = await runCommand(space, ['space', '--config', tiny, '--json']);
    const result = JSON.parse(stdout) as { size: string; variables: number; costRanges: { cost: string; min: number; max: number; exact: boolean }[] };
    expect(result.variables).toBe(11);
    const bops = result.costRanges.find((r) => r.cost === 'bops')!;
    // K ∈ {1, 2} in every group: min = K=1 everywhere, max = twice that.
    const k1 = summarize(buildPreset('groupnet-k1', { widthMultiplier: 0.25 })).totals.bops;
    expect([bops.min, bops.max]).toEqual([k1, 2 * k1]);
    expect(BigInt(result.size)).toBeGreaterThan(2000n); // so the range came from the coordinate search
  });

  it('--set overrides the config, validated like the file', async () => {
    const { stdout } = await runCommand(space, ['space', '--config', tiny, '--set', 'space.decisions=[{"type":"bases","choices":[1,2,3]}]', '--json']);
    expect(JSON.parse(stdout)).toMatchObject({ size: String(3 ** 6), variables: 6 });
    await expect(runCommand(space, ['space', '--config', tiny, '--set', 'backbone.name=vgg'])).rejects.toThrow(
      /backbone\.name: expected one of .*\(from --set backbone\.name=vgg\)/,
    );
  });
});
