/**
 * A queue per search run, and how workers find them. Each run gets a random id, kept in its run
 * directory (`queue.json`), so a resumed run — even moved to another directory — finds its jobs
 * again, and two runs on one Redis never see each other's. The run's BullMQ queue is
 * `groupnas-<id>`. While a run evaluates, its id sits in a sorted set in Redis (scored by when the
 * run last said so); `groupnas worker` serves every run listed there. A run whose head stopped
 * stays listed — its workers finish what they hold, results wait for the resumed head — until a
 * day without news.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { writeJsonAtomic } from '../util/atomic-write.js';
import { FileFormatError } from '../util/errors.js';
import { readStampedJsonFile } from '../util/json-file.js';

/** In a search run directory: the run's queue id. */
export const QUEUE_FILE = 'queue.json';
const QUEUE_FORMAT = 'groupnas.queue';

/** The sorted set of runs whose jobs workers take: run id → last announcement (ms since the epoch). */
export const RUNS_KEY = 'groupnas:runs';
/** A run not announced for this long is no longer served. */
export const RUN_LISTED_MS = 24 * 3600 * 1000;

const RUN_ID = /^[0-9a-f]{16}$/;

/** BullMQ queue name of run `runId`. */
export function runQueueName(runId: string): string {
  return `groupnas-${runId}`;
}

/** The run id kept in `dir/queue.json`, made and written on first use. */
export function runQueueId(dir: string): string {
  const file = join(dir, QUEUE_FILE);
  if (existsSync(file)) {
    const record = readStampedJsonFile<{ runId?: unknown }>(file, QUEUE_FORMAT, 1);
    if (typeof record.runId !== 'string' || !RUN_ID.test(record.runId)) throw new FileFormatError(file, 'runId', 'expected 16 hexadecimal digits');
    return record.runId;
  }
  const runId = randomBytes(8).toString('hex');
  writeJsonAtomic(file, { format: QUEUE_FORMAT, version: 1, runId });
  return runId;
}

/** List run `runId` (or say it is still alive). */
export async function announceRun(redis: Redis, runId: string): Promise<void> {
  await redis.zadd(RUNS_KEY, Date.now(), runId);
}

/** Stop listing run `runId`: its evaluation is over. */
export async function retireRun(redis: Redis, runId: string): Promise<void> {
  await redis.zrem(RUNS_KEY, runId);
}

/** The runs workers serve now (well-formed ids only: the set is shared with whatever else writes to this Redis). */
export async function listedRuns(redis: Redis): Promise<string[]> {
  const ids = await redis.zrangebyscore(RUNS_KEY, Date.now() - RUN_LISTED_MS, '+inf');
  return ids.filter((id) => RUN_ID.test(id));
}
