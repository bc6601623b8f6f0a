import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileFormatError } from '../../src/util/errors.js';
import { ACTIVITY_FILE, beginActivity, readActivity, withActivity } from '../../src/util/run-activity.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'gn-activity-'));

describe('run activity', () => {
  it('is running while this process works, then says how it ended', () => {
    const dir = tmp();
    expect(readActivity(dir)).toBeUndefined();
    const activity = beginActivity(dir);
    expect(readActivity(dir)!.state).toBe('running');
    activity.end('stopped');
    const ended = readActivity(dir)!;
    expect(ended.state).toBe('stopped');
    expect(Date.parse(ended.endedAt!)).toBeGreaterThanOrEqual(Date.parse(ended.startedAt));
  });

  it('withActivity records done, or failed with the first line of the error (rethrown)', () => {
    const dir = tmp();
    expect(withActivity(dir, () => 42)).toBe(42);
    expect(readActivity(dir)!.state).toBe('done');
    expect(() =>
      withActivity(dir, () => {
        throw new Error('out of memory\nstack…');
      }),
    ).toThrow(/out of memory/);
    expect(readActivity(dir)).toMatchObject({ state: 'failed', error: 'out of memory' });
  });

  it('calls a run whose process is gone without an end stopped (a kill)', () => {
    const dir = tmp();
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    beginActivity(dir);
    const record = JSON.parse(readFileSync(join(dir, ACTIVITY_FILE), 'utf8')) as { pid: number };
    writeFileSync(join(dir, ACTIVITY_FILE), JSON.stringify({ ...record, pid: Number(gone.stdout) }));
    expect(readActivity(dir)!.state).toBe('stopped');
  });

  it('names the file when it is damaged', () => {
    const dir = tmp();
    writeFileSync(join(dir, ACTIVITY_FILE), '{"format": "groupnas.activity", "vers');
    expect(() => readActivity(dir)).toThrow(FileFormatError);
    expect(() => readActivity(dir)).toThrow(new RegExp(`${ACTIVITY_FILE}: is not valid JSON`));
  });
});
