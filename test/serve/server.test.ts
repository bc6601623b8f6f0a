import { request, type IncomingMessage } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_RUN_FILE_BYTES, startDashboard, type Dashboard, type RunSummary, type SearchView, type TrainingView } from '../../src/serve/index.js';
import { ensureBuilt } from '../helpers/ensure-built.js';
import { writeSearchRun, writeTrainingRun } from './fixtures.js';

/** A GET with the path sent exactly as written (fetch would resolve `../` before sending). */
function get(base: string, path: string): Promise<{ status: number; body: string; headers: IncomingMessage['headers'] }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

const getJson = async <T>(base: string, path: string) => {
  const r = await get(base, path);
  return { status: r.status, body: JSON.parse(r.body) as T };
};

let root: string;
let outside: string;
let dashboard: Dashboard;

beforeAll(async () => {
  ensureBuilt();
  const top = mkdtempSync(join(tmpdir(), 'gn-serve-'));
  root = join(top, 'runs');
  outside = join(top, 'outside');
  writeSearchRun(join(root, 'search-a'), 3);
  writeTrainingRun(join(root, 'group', 'train-b'), 'groupnet-k3');
  writeTrainingRun(join(root, 'teacher-c'), 'fp');
  writeFileSync(join(outside, '..', 'secret.txt'), 'not for the dashboard');
  writeSearchRun(outside, 1);
  // Symlinks out of --runs: a file, a directory inside a run, and a whole run.
  symlinkSync(join(top, 'secret.txt'), join(root, 'search-a', 'secret.txt'));
  symlinkSync(top, join(root, 'search-a', 'up'));
  symlinkSync(outside, join(root, 'linked-run'));
  dashboard = await startDashboard({ runs: root, port: 0, pollMs: 50 });
});

afterAll(async () => {
  await dashboard?.close();
  rmSync(join(root, '..'), { recursive: true, force: true });
});

describe('groupnas serve: runs and views', () => {
  it('binds 127.0.0.1 unless told otherwise', () => {
    expect(dashboard.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('lists every run under --runs with its kind and status, and none outside it', async () => {
    const { status, body } = await getJson<{ runs: RunSummary[] }>(dashboard.url, '/api/runs');
    expect(status).toBe(200);
    const byId = Object.fromEntries(body.runs.map((r) => [r.id, r]));
    expect(Object.keys(byId).sort()).toEqual(['group/train-b', 'search-a', 'teacher-c']);
    expect(byId['search-a']).toMatchObject({ kind: 'search', name: 'tiny', status: 'stopped', progress: '3/2 epochs' });
    expect(byId['group/train-b']).toMatchObject({ kind: 'train', status: 'done', bestAccuracy: 0.6, startedAt: '2026-01-02T03:04:05.000Z' });
    expect(byId['teacher-c']!.kind).toBe('teacher');
  });

  it("shapes a search's α like alpha.svg does, and a training's costs", async () => {
    const search = (await getJson<SearchView>(dashboard.url, '/api/runs/search-a')).body;
    expect(search.alpha.map((s) => s.id)).toEqual(['bases@0', 'groupBoundary@0']);
    expect(search.alpha[0]!.probabilities.map((p) => p[0])).toEqual([0.5, 0.6, 0.7]);
    expect(search.epochs.map((e) => e.archAccuracy)).toEqual([undefined, 0.18, 0.18]);
    const train = (await getJson<TrainingView>(dashboard.url, `/api/runs/${encodeURIComponent('group/train-b')}`)).body;
    expect(train.totals!.bops).toBeGreaterThan(0);
    expect(train.arch!.svg).toMatch(/^<svg/);
    expect(train.epochs.map((e) => e.testAccuracy)).toEqual([0.3, 0.6]);
  });

  it('serves the pages and their assets from the package, with a content security policy', async () => {
    const page = await get(dashboard.url, '/');
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(page.body)![1]!;
    expect((await get(dashboard.url, script)).status).toBe(200);
    expect((await get(dashboard.url, '/assets/..%2Fpackage.json')).status).toBe(404);
  });
});

describe('groupnas serve: attacks are answered with an error status, and the server goes on', () => {
  const cases: [string, string, number][] = [
    ['../ in a file path', '/api/runs/search-a/files/../../../../../etc/passwd', 400],
    ['encoded ../ in a file path', '/api/runs/search-a/files/..%2F..%2F..%2F..%2Fetc%2Fpasswd', 400],
    ['encoded dots', '/api/runs/search-a/files/%2e%2e/%2e%2e/secret.txt', 400],
    ['../ as the run id', '/api/runs/..%2F..%2Fetc/files/passwd', 400],
    ['.. as the run id', '/api/runs/../files/secret.txt', 400],
    ['an absolute run id', `/api/runs/${encodeURIComponent('/etc')}/files/passwd`, 400],
    ['double encoding (a literal %2e name)', '/api/runs/search-a/files/%252e%252e%252fsecret.txt', 404],
    ['a NUL byte', '/api/runs/search-a/files/config.json%00.txt', 400],
    ['a backslash', '/api/runs/search-a/files/..%5C..%5Csecret.txt', 400],
    ['broken percent-encoding', '/api/runs/search-a/files/%E0%A4%A', 400],
    ['a file symlinked out of --runs', '/api/runs/search-a/files/secret.txt', 403],
    ['a directory symlinked out of --runs', '/api/runs/search-a/files/up/secret.txt', 403],
    ['a run symlinked out of --runs', '/api/runs/linked-run', 403],
    ['the events of a run symlinked out', '/api/runs/linked-run/events', 403],
    ['a run that does not exist', '/api/runs/nope', 404],
    ['a directory that is not a run', '/api/runs/group', 404],
    ['a model query leading out', `/api/runs/search-a/test-images?model=${encodeURIComponent('../../secret.gnb')}`, 400],
  ];
  for (const [label, path, status] of cases) {
    it(`${label}: ${status}`, async () => {
      const r = await get(dashboard.url, path);
      expect(r.status).toBe(status);
      expect(r.body).not.toContain('not for the dashboard');
      expect((JSON.parse(r.body) as { error: string }).error).toBeTruthy();
      expect((await get(dashboard.url, '/api/runs')).status).toBe(200);
    });
  }

  it('a request for another host name (DNS rebinding) is refused', async () => {
    const url = new URL(dashboard.url);
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host: url.hostname, port: url.port, path: '/api/runs', headers: { host: `evil.example:${url.port}` } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(403);
    expect((await get(dashboard.url, '/api/runs')).status).toBe(200);
  });

  it('serves a run file as it is, read-only and sandboxed', async () => {
    const r = await get(dashboard.url, '/api/runs/search-a/files/search.json');
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body).format).toBe('groupnas.search');
    expect(r.headers['content-security-policy']).toMatch(/^sandbox/);
  });

  it('a half-written JSON file shows as a problem of its run, naming the file; the rest of the run still shows', async () => {
    const dir = join(root, 'half-written');
    writeSearchRun(dir, 2);
    writeFileSync(join(dir, 'search.json'), '{"format": "groupnas.search", "version": 1, "epochs": [{"epo');
    writeFileSync(join(dir, 'candidates.json'), JSON.stringify({ format: 'groupnas.candidates', version: 1, candidates: [{ rank: 'one' }] }));
    const { status, body } = await getJson<SearchView>(dashboard.url, '/api/runs/half-written');
    expect(status).toBe(422);
    expect(body.summary.problems).toEqual([
      { file: 'search.json', message: expect.stringMatching(/search\.json: is not valid JSON/) },
      { file: 'candidates.json', message: expect.stringMatching(/candidates\.json: candidates\[0\]\.rank: expected integer, got "one"/) },
    ]);
    expect(body.config!.template).toBe('groupnet-k3');
    const list = (await getJson<{ runs: RunSummary[] }>(dashboard.url, '/api/runs')).body.runs;
    expect(list.find((r) => r.id === 'half-written')!.problems).toHaveLength(2);
  });

  it('a huge JSON file is refused unread, as a problem of its run', async () => {
    const dir = join(root, 'huge');
    writeTrainingRun(dir, 'groupnet-k3');
    truncateSync(join(dir, 'history.json'), MAX_RUN_FILE_BYTES + 1); // sparse: nothing is written
    rmSync(join(dir, 'result.json'));
    const { status, body } = await getJson<TrainingView>(dashboard.url, '/api/runs/huge');
    expect(status).toBe(422);
    expect(body.summary.problems).toEqual([{ file: 'history.json', message: expect.stringMatching(/more than the \d+ bytes the dashboard reads/) }]);
    expect(body.totals!.params).toBeGreaterThan(0);
  });

  it('a run deleted while viewed: its live stream says so and ends, its view is a 404, the server goes on', async () => {
    const dir = join(root, 'doomed');
    writeSearchRun(dir, 1);
    const url = new URL(dashboard.url);
    const events = await new Promise<string>((resolve, reject) => {
      const req = request({ host: url.hostname, port: url.port, path: '/api/runs/doomed/events' }, (res) => {
        expect(res.statusCode).toBe(200);
        expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
        let text = '';
        res.on('data', (d: Buffer) => {
          text += d.toString();
          if (text.includes('event: update') && !text.includes('deleted')) {
            text += '(deleted)';
            rmSync(dir, { recursive: true, force: true });
          }
        });
        res.on('end', () => resolve(text));
      });
      req.on('error', reject);
      req.end();
    });
    expect(events).toMatch(/event: gone\ndata: \{"error":"run: doomed does not exist"\}/);
    expect((await get(dashboard.url, '/api/runs/doomed')).status).toBe(404);
    expect((await get(dashboard.url, '/api/runs')).status).toBe(200);
  });

  it('closing the server ends the live streams still open', async () => {
    const other = await startDashboard({ runs: root, port: 0, pollMs: 50 });
    const url = new URL(other.url);
    const ended = new Promise<string>((resolve, reject) => {
      const req = request({ host: url.hostname, port: url.port, path: '/api/runs/search-a/events' }, (res) => {
        let text = '';
        res.on('data', (d: Buffer) => {
          text += d.toString();
          if (text.includes('event: update')) void other.close();
        });
        res.on('end', () => resolve(text));
      });
      req.on('error', reject);
      req.end();
    });
    expect(await ended).toContain('event: update');
  });

  it('a damaged activity.json is a problem of the run, not of the server', async () => {
    const dir = join(root, 'odd-activity');
    mkdirSync(dir, { recursive: true });
    writeTrainingRun(dir, 'groupnet-k3');
    writeFileSync(join(dir, 'activity.json'), '[1, 2');
    const { status, body } = await getJson<TrainingView>(dashboard.url, '/api/runs/odd-activity');
    expect(status).toBe(422);
    expect(body.summary.problems.map((p) => p.file)).toEqual(['activity.json']);
    expect(body.summary.status).toBe('done');
  });
});
