/**
 * What the file system can say — a file where a directory belongs, a read-only mount, permission
 * denied, a full disk — reaches the user as one line naming the path and the cause in words, with
 * exit code 3, and loses nothing: no temp file is left, the files written before stay whole, and
 * the run resumes once the disk has room.
 *
 * Mounting a tmpfs needs root, and permission denied needs a user who is not root (root may write
 * anywhere): those tests run as root and start the CLI as `nobody` with setpriv; elsewhere they
 * are skipped, saying why.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCheckpoint } from '../../src/train/checkpoint.js';
import { PACKAGE_ROOT } from '../../src/util/version.js';
import { runCli, type CliResult } from '../cli/run-cli.js';
import { ensureBuilt } from '../helpers/ensure-built.js';

const isRoot = process.getuid?.() === 0;
const canMount = isRoot && spawnSync('mount', ['--version']).status === 0;
const canDropRoot = isRoot && spawnSync('setpriv', ['--version']).status === 0;
const tmp = () => mkdtempSync(join(tmpdir(), 'gn-fs-faults-'));
const TRAIN = ['train', '--preset', 'groupnet-k1', '--width-mult', '0.25', '--limit', '64', '--test-limit', '32', '--backend', 'wasm'];

const mounted: string[] = [];
function mountTmpfs(options: string): string {
  const dir = tmp();
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`mount tmpfs ${options}: ${r.stderr}`);
  mounted.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of mounted) spawnSync('umount', [dir]);
});

/** The command failed with exit 3 and said one line: `groupnas: <path>: <cause> (<code> …)`. */
function expectOneLine(r: CliResult, path: string, cause: string): void {
  expect(r.status, r.stderr).toBe(3);
  const lines = r.stderr.split('\n').filter((l) => l.startsWith('groupnas: ') && !l.startsWith('groupnas: backend'));
  expect(lines).toEqual([expect.stringContaining(`groupnas: ${path}: ${cause}`)]);
  expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
}

/** Files a writer left half-done: atomic writes go through `.<name>.<pid>.<n>.tmp`. */
function tempFilesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => /(^|\/)\.[^/]+\.tmp$/.test(f));
}

describe('file-system faults', () => {
  it('a file where the run directory should go: train and search say "not a directory"', () => {
    const file = join(tmp(), 'a-file');
    writeFileSync(file, 'not a directory');
    expectOneLine(runCli([...TRAIN, '--out', join(file, 'run')]), join(file, 'run'), 'not a directory');
    expectOneLine(runCli(['search', '--config', 'tiny', '--out', join(file, 'run'), '--backend', 'wasm']), join(file, 'run'), 'not a directory');
    expect(readFileSync(file, 'utf8')).toBe('not a directory');
  });

  it.skipIf(!canMount)('a read-only mount: train and teacher say "read-only file system" (skipped unless root: mounting needs it)', () => {
    const ro = mountTmpfs('size=1m,ro');
    expectOneLine(runCli([...TRAIN, '--out', join(ro, 'run')]), join(ro, 'run'), 'read-only file system');
    expectOneLine(runCli(['teacher', '--config', 'tiny', '--out', join(ro, 'teacher'), '--backend', 'wasm']), join(ro, 'teacher'), 'read-only file system');
  });

  it.skipIf(!canMount)(
    'a disk that fills up mid-run: "disk full", no temp file, the last checkpoint whole; the run resumes once there is room (skipped unless root)',
    () => {
      // Room for run.json and one checkpoint (≈540 KB), not for the second beside it while it is written.
      const disk = mountTmpfs('size=1000k');
      const run = join(disk, 'run');
      const r = runCli([...TRAIN, '--epochs', '2', '--out', run]);
      expectOneLine(r, join(run, 'checkpoint.gnck'), 'disk full');
      expect(tempFilesUnder(disk)).toEqual([]);
      const { meta, tensors } = loadCheckpoint<{ position: { epoch: number } }>(join(run, 'checkpoint.gnck'));
      Object.values(tensors).forEach((t) => t.dispose());
      expect(meta.position.epoch).toBe(1);
      expect(JSON.parse(readFileSync(join(run, 'history.json'), 'utf8'))).toHaveLength(1);
      expect(spawnSync('mount', ['-o', 'remount,size=4m', disk]).status).toBe(0);
      const resumed = runCli(['train', '--resume', run, '--backend', 'wasm']);
      expect(resumed.status, resumed.stderr).toBe(0);
      expect(JSON.parse(readFileSync(join(run, 'result.json'), 'utf8')).epochs).toHaveLength(2);
    },
  );

  it.skipIf(!canDropRoot)(
    'permission denied, as a user who is not root: a run directory in root’s folder, a run file only root may read (skipped unless root: it starts the CLI as nobody)',
    () => {
      ensureBuilt();
      const asNobody = (args: string[]): CliResult => {
        const r = spawnSync(
          'setpriv',
          ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, join(PACKAGE_ROOT, 'bin', 'groupnas.js'), ...args],
          {
            cwd: tmpdir(),
            encoding: 'utf8',
            timeout: 300_000,
            env: { ...process.env, HOME: tmpdir(), GROUPNAS_CACHE_DIR: tmp() },
          },
        );
        return { status: r.status, stdout: r.stdout, stderr: r.stderr };
      };
      const rootsOwn = tmp(); // mode 0700, owned by root
      expectOneLine(asNobody([...TRAIN, '--out', join(rootsOwn, 'run')]), join(rootsOwn, 'run'), 'permission denied');
      // A finished run whose result nobody may read: export says so instead of "not valid JSON".
      const run = join(tmp(), 'run');
      spawnSync('chmod', ['755', join(run, '..')]);
      expect(runCli([...TRAIN, '--out', run]).status).toBe(0);
      spawnSync('chmod', ['600', join(run, 'run.json')]);
      spawnSync('chmod', ['777', run]);
      const out = join(run, 'model.gnb');
      expectOneLine(asNobody(['export', '--run', run, '--out', out, '--backend', 'wasm']), join(run, 'run.json'), 'permission denied');
      expect(existsSync(out)).toBe(false);
      expect(tempFilesUnder(run)).toEqual([]);
    },
  );
});
