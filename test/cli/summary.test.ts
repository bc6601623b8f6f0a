import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import summary from '../../src/cli/commands/summary.js';
import { buildPreset, saveArch, type ArchSummary } from '../../src/space/index.js';
import { RESNET18_GROUPNET_K5 } from '../space/resnet18-hand-count.js';
import { runCommand } from './run-command.js';

const dir = mkdtempSync(join(tmpdir(), 'groupnas-summary-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('groupnas summary', () => {
  it("reports the hand-counted MACs of the paper's ResNet-18 Group-Net from an arch.json", async () => {
    const file = join(dir, 'resnet18-groupnet-k5.json');
    saveArch(file, buildPreset('groupnet-k5', { backbone: 'resnet18' }));
    const { stdout, exitCode } = await runCommand(summary, ['summary', '--arch', file, '--json']);
    expect(exitCode).toBe(0);
    const result = JSON.parse(stdout) as ArchSummary;
    expect(result.totals.binaryMacs).toBe(RESNET18_GROUPNET_K5.binaryMacs);
    expect(result.totals.floatMacs).toBe(RESNET18_GROUPNET_K5.floatMacs);
  });

  it('prints a larq-style table for a preset at a width multiplier', async () => {
    const { stdout } = await runCommand(summary, ['summary', '--preset', 'groupnet-k5', '--width-mult', '0.5']);
    expect(stdout).toMatch(/architecture: groupnet-k5\/resnet-r@0\.5/);
    expect(stdout).toMatch(/^block0\.conv1\s+28×28×16\s+5\s+1\s+11520\s/m);
    expect(stdout).toMatch(/binary MACs: +99348480 \(99\.35 M\)/);
    expect(stdout).toMatch(/packed memory: .*× smaller/);
  });

  it('needs exactly one of --arch and --preset', async () => {
    await expect(runCommand(summary, ['summary'])).rejects.toThrow(/--preset NAME or --arch FILE/);
    await expect(runCommand(summary, ['summary', '--preset', 'nope'])).rejects.toThrow(/unknown preset "nope"/);
    await expect(runCommand(summary, ['summary', '--arch', join(dir, 'missing.json')])).rejects.toThrow(/missing\.json: \(root\): no such file/);
  });
});
