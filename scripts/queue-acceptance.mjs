#!/usr/bin/env node
/**
 * The queue's acceptance, measured with the real CLI on a real redis-server (persistence off, a
 * free loopback port), `configs/tiny.json` each time, two `groupnas worker` processes:
 *
 *   same-results  the search evaluated by the local pool, then through the queue: evaluation.json's
 *                 metrics (accuracy, loss, costs, model bytes, the training curve) compared
 *   worker-kill   one worker SIGKILLed mid-training (`--tries`, default 5)
 *   head-kill     the `groupnas search` process SIGKILLed mid-evaluation, then `--resume`d
 *   redis-restart redis-server killed and started again (empty) mid-training
 *
 * Each scenario prints one line: whether the search completed with every candidate evaluated, and
 * how many jobs the workers completed (each candidate once, plus what a fault cost). Needs dist/
 * (npm run build) and redis-server. Usage: node scripts/queue-acceptance.mjs [--tries N] [--only NAME]
 * (The 50 malformed payloads are pushed into a real queue by test/queue/queue-evaluation.test.ts.)
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { Queue } from 'bullmq';
import { startLocalRedis } from '../dist/queue/local-redis.js';

const ROOT = join(fileURLToPath(import.meta.url), '..', '..');
const BIN = join(ROOT, 'bin', 'groupnas.js');
const args = process.argv.slice(2);
const tries = Number(args[args.indexOf('--tries') + 1] ?? 5) || 5;
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const work = mkdtempSync(join(tmpdir(), 'groupnas-queue-acceptance-'));

const exited = (child) => (child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', r)));

function groupnas(argv) {
  const child = spawn(process.execPath, [BIN, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.log = '';
  child.stdout.on('data', (b) => (child.log += b));
  child.stderr.on('data', (b) => (child.log += b));
  return child;
}

function startWorkers(url, count) {
  return Array.from({ length: count }, () =>
    // the default --stall-seconds (30): shorter ones mistake a starved worker for a dead one on a loaded machine
    groupnas(['worker', '--queue', url, '--grace-seconds', '0', '--work-dir', join(work, 'worker')]),
  );
}

/** Stop workers with SIGTERM; the jobs each completed, from its last line. */
async function stopWorkers(workers) {
  for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGTERM');
  await Promise.all(workers.map(exited));
  return workers.reduce((n, w) => n + Number(/worker stopped: (\d+) jobs completed/.exec(w.log)?.[1] ?? 0), 0);
}

/** Resolves with the first active job of the run in `dir` that has trained a step. */
async function whenTraining(url, dir, timeoutMs = 900_000) {
  const deadline = Date.now() + timeoutMs;
  let queue;
  try {
    while (Date.now() < deadline) {
      if (queue === undefined && existsSync(join(dir, 'queue.json'))) {
        const { runId } = JSON.parse(readFileSync(join(dir, 'queue.json'), 'utf8'));
        queue = new Queue(`groupnas-${runId}`, { connection: { host: '127.0.0.1', port: Number(new URL(url).port) } });
      }
      if (queue !== undefined) {
        const active = await queue.getActive();
        const job = active.find((j) => j.progress && j.progress.type === 'update' && j.progress.done > 0);
        if (job) return job;
      }
      await sleep(200);
    }
    throw new Error('no job started training in time');
  } finally {
    await queue?.close();
  }
}

function evaluated(dir) {
  const file = join(dir, 'evaluation', 'evaluation.json');
  if (!existsSync(file)) return { done: 0, total: 0, failures: 0 };
  const e = JSON.parse(readFileSync(file, 'utf8'));
  return {
    done: e.candidates.filter((c) => c.status === 'done').length,
    total: e.candidates.length,
    failures: e.candidates.reduce((n, c) => n + c.failures.length, 0),
  };
}

function search(url, dir, resume = false) {
  return groupnas(['search', ...(resume ? ['--resume', dir] : ['--config', 'tiny', '--out', dir]), '--queue', url]);
}

async function workerKill(url, n) {
  const dir = join(work, `worker-kill-${n}`);
  const workers = startWorkers(url, 2);
  const head = search(url, dir);
  const job = await whenTraining(url, dir);
  const pid = Number(job.processedBy.split('/').pop());
  process.kill(pid, 'SIGKILL');
  const killedAt = Date.now();
  await exited(head);
  const seconds = (Date.now() - killedAt) / 1000;
  const completed = await stopWorkers(workers);
  const e = evaluated(dir);
  const ok = head.exitCode === 0 && e.done === e.total && e.total > 0 && completed === e.total;
  console.log(
    `worker-kill ${n}/${tries}: ${ok ? 'ok' : 'FAILED'} — killed the worker (pid ${pid}) training ${job.id}; search exit ${head.exitCode}, ` +
      `${e.done}/${e.total} candidates done, ${e.failures} failed attempts recorded, ${completed} jobs completed by the workers; ` +
      `search done ${seconds.toFixed(1)} s after the kill`,
  );
  if (!ok) console.log(head.log.split('\n').slice(-15).join('\n'));
  if (completed !== e.total) showWorkerLogs(workers);
  return ok;
}

/** What the workers said about their jobs (a job trained twice: which lock was lost, and when). */
function showWorkerLogs(workers) {
  for (const w of workers) {
    for (const line of w.log.split('\n').filter((l) => /job|lock|stall|stopped/i.test(l))) console.log(`  worker ${w.pid}: ${line}`);
  }
}

async function headKill(url) {
  const dir = join(work, 'head-kill');
  const workers = startWorkers(url, 2);
  const head = search(url, dir);
  const job = await whenTraining(url, dir);
  head.kill('SIGKILL');
  await exited(head);
  await sleep(2000);
  const resumed = search(url, dir, true);
  await exited(resumed);
  const completed = await stopWorkers(workers);
  const e = evaluated(dir);
  const ok = resumed.exitCode === 0 && e.done === e.total && completed === e.total;
  console.log(
    `head-kill: ${ok ? 'ok' : 'FAILED'} — SIGKILLed the search while ${job.id} trained; --resume exit ${resumed.exitCode}, ${e.done}/${e.total} candidates done, ` +
      `${completed} jobs completed by the workers (each candidate once: finished jobs collected, running ones awaited)`,
  );
  if (!ok) console.log(resumed.log.split('\n').slice(-15).join('\n'));
  return ok;
}

async function redisRestart(url, redis) {
  const dir = join(work, 'redis-restart');
  const workers = startWorkers(url, 2);
  const head = search(url, dir);
  const job = await whenTraining(url, dir);
  await redis.restart();
  await exited(head);
  let exit = head.exitCode;
  let resumedToo = false;
  if (exit !== 0) {
    resumedToo = true;
    const again = search(url, dir, true);
    await exited(again);
    exit = again.exitCode;
  }
  const completed = await stopWorkers(workers);
  const e = evaluated(dir);
  const ok = exit === 0 && e.done === e.total && e.total > 0;
  const lines = head.log.split('\n').filter((l) => /queue|connected again|retrying/.test(l));
  console.log(
    `redis-restart: ${ok ? 'ok' : 'FAILED'} — redis-server killed and restarted empty while ${job.id} trained; ${resumedToo ? 'stopped, resumed: ' : 'completed: '}` +
      `${e.done}/${e.total} candidates done, ${completed} jobs completed by the workers (a job Redis lost is trained again)`,
  );
  for (const l of lines.slice(0, 6)) console.log(`  head: ${l}`);
  return ok;
}

/** The metrics evaluation.json keeps per candidate, without wall times. */
function metrics(dir) {
  const e = JSON.parse(readFileSync(join(dir, 'evaluation', 'evaluation.json'), 'utf8'));
  return e.candidates.map((c) => ({
    arch: c.arch,
    status: c.status,
    testAccuracy: c.result?.testAccuracy,
    testLoss: c.result?.testLoss,
    costs: c.result?.costs,
    modelBytes: c.result?.modelBytes,
    curve: c.result?.history.map(({ seconds: _, ...rest }) => rest),
  }));
}

async function sameResults(url) {
  // equal-length directory names: the packed model names its run directory, so equal lengths give equal bytes
  const local = join(work, 'same-local');
  const queued = join(work, 'same-queue');
  const pool = groupnas(['search', '--config', 'tiny', '--out', local]);
  await exited(pool);
  const workers = startWorkers(url, 2);
  const head = search(url, queued);
  await exited(head);
  const completed = await stopWorkers(workers);
  const [a, b] = [metrics(local), metrics(queued)];
  const equal = isDeepStrictEqual(a, b);
  const ok = pool.exitCode === 0 && head.exitCode === 0 && equal && a.length > 0;
  console.log(
    `same-results: ${ok ? 'ok' : 'FAILED'} — local pool exit ${pool.exitCode}, queue exit ${head.exitCode} (${completed} jobs on 2 worker processes); ` +
      `evaluation.json metrics ${equal ? 'identical' : 'DIFFER'}: ` +
      a.map((c) => `#${a.indexOf(c)} accuracy ${c.testAccuracy}, loss ${c.testLoss?.toFixed(6)}, BOPs ${c.costs?.bops}, model ${c.modelBytes} B`).join('; '),
  );
  if (!equal) console.log(JSON.stringify({ local: a, queue: b }));
  const traffic = head.log.split('\n').find((l) => /jobs sent/.test(l));
  if (traffic) console.log(`  head: ${traffic}`);
  if (!ok) console.log(head.log.split('\n').slice(-15).join('\n'));
  return ok;
}

const redis = await startLocalRedis();
const url = redis.url;
let failures = 0;
try {
  if (!only || only === 'same-results') if (!(await sameResults(url))) failures++;
  if (!only || only === 'worker-kill') for (let n = 1; n <= tries; n++) if (!(await workerKill(url, n))) failures++;
  if (!only || only === 'head-kill') if (!(await headKill(url))) failures++;
  if (!only || only === 'redis-restart') if (!(await redisRestart(url, redis))) failures++;
} finally {
  await redis.stop(true);
  rmSync(work, { recursive: true, force: true });
}
process.exit(failures === 0 ? 0 : 1);
