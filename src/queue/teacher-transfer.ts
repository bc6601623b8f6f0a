/**
 * The distillation teacher, carried to the workers. Candidates learn from the search's teacher, a
 * training run on the search's host; a worker elsewhere needs its files. The head stores them once
 * in Redis (a hash of file name → bytes, keyed by their sha256, kept a week after the last job that
 * needed them) and each job names the digest; a worker fetches them once, checks the digest, and
 * keeps a copy in its cache directory for every later job.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { RUN_FILES, runFile } from '../train/run-directory.js';
import type { TeacherReference } from './evaluation-job.js';

/** The files of a training run that a teacher is loaded from (train/run-model.ts). */
const TEACHER_FILES = [RUN_FILES.record, RUN_FILES.checkpoint] as const;
const KEEP_SECONDS = 7 * 24 * 3600;

export function teacherKey(sha256: string): string {
  return `groupnas:teacher:${sha256}`;
}

/** One digest over the files, each as its name, its length and its bytes. */
function digest(files: ReadonlyMap<string, Buffer>): string {
  const hash = createHash('sha256');
  for (const name of TEACHER_FILES) {
    const bytes = files.get(name) ?? Buffer.alloc(0);
    hash.update(`${name}\0${bytes.length}\0`);
    hash.update(bytes);
  }
  return hash.digest('hex');
}

export interface PackedTeacher {
  reference: TeacherReference;
  files: Map<string, Buffer>;
}

/** The teacher run in `dir`, read for sending. */
export function packTeacher(dir: string): PackedTeacher {
  const files = new Map<string, Buffer>(TEACHER_FILES.map((name) => [name, readFileSync(join(dir, name))]));
  const bytes = [...files.values()].reduce((sum, b) => sum + b.length, 0);
  return { reference: { sha256: digest(files), bytes }, files };
}

/** Store the teacher in Redis unless it is there (true when stored now), and keep it another week. */
export async function storeTeacher(redis: Redis, teacher: PackedTeacher): Promise<boolean> {
  const key = teacherKey(teacher.reference.sha256);
  const stored = (await redis.exists(key)) === 0;
  if (stored) await redis.hset(key, Object.fromEntries(teacher.files));
  await redis.expire(key, KEEP_SECONDS);
  return stored;
}

/**
 * A local copy of the teacher `reference` names, under `cacheDir`: fetched from Redis the first
 * time, checked against the digest, written to a temp directory and renamed into place.
 */
export async function fetchTeacher(redis: Redis, reference: TeacherReference, cacheDir: string): Promise<string> {
  const dir = join(cacheDir, 'teachers', reference.sha256);
  if (TEACHER_FILES.every((name) => existsSync(join(dir, name)))) return dir;
  const stored = await redis.hgetallBuffer(teacherKey(reference.sha256));
  const files = new Map(Object.entries(stored));
  if (files.size === 0)
    throw new Error(`the teacher ${reference.sha256.slice(0, 12)}… is not in Redis (expired, or Redis lost it); rerun the search to store it again`);
  if (digest(files) !== reference.sha256) throw new Error(`the teacher's files in Redis do not match their digest ${reference.sha256.slice(0, 12)}…`);
  const temp = `${dir}.${process.pid}.tmp`;
  rmSync(temp, { recursive: true, force: true });
  mkdirSync(temp, { recursive: true });
  for (const name of TEACHER_FILES) writeFileSync(join(temp, name), files.get(name)!);
  try {
    renameSync(temp, dir);
  } catch (err) {
    // another worker on this host put the same copy in place first: theirs is as good
    rmSync(temp, { recursive: true, force: true });
    if (!existsSync(runFile(dir, 'checkpoint'))) throw err;
  }
  return dir;
}
