/**
 * Fifty malformed evaluation-job payloads, each wrong in one way a sender (a bug, another version,
 * someone writing to the queue by hand) could get it wrong: not an object, fields missing or of
 * the wrong type or range, unknown fields, an invalid architecture, oversized. Shared by the
 * schema test and the queue tests that push them straight into Redis.
 */
import type { EvaluationJob } from '../../src/queue/evaluation-job.js';

type Mutation = [string, (job: Record<string, unknown>) => unknown];

const without = (key: string) => (j: Record<string, unknown>) => {
  const { [key]: _, ...rest } = j;
  return rest;
};
const withField = (key: string, value: unknown) => (j: Record<string, unknown>) => ({ ...j, [key]: value });
const training = (key: string, value: unknown) => (j: Record<string, unknown>) => ({ ...j, training: { ...(j.training as object), [key]: value } });
const arch = (key: string, value: unknown) => (j: Record<string, unknown>) => ({ ...j, arch: { ...(j.arch as object), [key]: value } });

const MUTATIONS: Mutation[] = [
  ['null', () => null],
  ['a number', () => 42],
  ['a string', () => 'train me'],
  ['an array', (j) => [j]],
  ['an empty object', () => ({})],
  ['code as a string', () => ({ code: 'process.exit(1)' })],
  ...(['format', 'version', 'groupnas', 'index', 'attempt', 'arch', 'training', 'dataset', 'runDir'].map((k) => [`no ${k}`, without(k)]) as Mutation[]),
  ['another format', withField('format', 'groupnas.arch')],
  ['version 2', withField('version', 2)],
  ['version as a string', withField('version', '1')],
  ['index negative', withField('index', -1)],
  ['index fractional', withField('index', 1.5)],
  ['attempt 0', withField('attempt', 0)],
  ['groupnas empty', withField('groupnas', '')],
  ['runDir empty', withField('runDir', '')],
  ['runDir a number', withField('runDir', 7)],
  ['unknown field', withField('run', 'rm -rf /')],
  ['timeoutMs 0', withField('timeoutMs', 0)],
  ['dataset checksum short', withField('dataset', { name: 'embedded', checksum: 'abc' })],
  ['dataset with extra field', withField('dataset', { name: 'x', checksum: 'a'.repeat(64), path: '/etc' })],
  ['teacher without distillation', withField('teacher', { sha256: 'a'.repeat(64), bytes: 1 })],
  ['teacher digest not hex', withField('teacher', { sha256: 'z'.repeat(64), bytes: 1 })],
  ['training an array', withField('training', [])],
  ['training epochs 0', training('epochs', 0)],
  ['training epochs a string', training('epochs', '3')],
  ['training batchSize huge', training('batchSize', 1e9)],
  ['training optimizer unknown', training('optimizer', 'lion')],
  ['training learningRate negative', training('learningRate', -1)],
  ['training schedule unknown', training('schedule', 'exotic')],
  ['training seed negative', training('seed', -3)],
  ['training augment a string', training('augment', 'yes')],
  ['training unknown field', training('hook', 'require("child_process")')],
  ['distillation without its teacher file', training('distillation', { teacher: '/t', kd: 1, at: 0, temperature: 4, labelWeight: 1 })],
  ['distillation incomplete', training('distillation', { kd: 1 })],
  ['arch an array', withField('arch', [])],
  ['arch another format', arch('format', 'groupnas.config')],
  ['arch version 9', arch('version', 9)],
  ['arch without blocks', arch('blocks', undefined)],
  ['arch bases negative', arch('bases', [-1])],
  ['arch groups not covering the blocks', arch('groups', [{ start: 0, end: 1 }])],
  ['oversized (a megabyte of padding)', withField('runDir', 'x'.repeat(1 << 20))],
  ['oversized architecture name', arch('name', 'n'.repeat(300_000))],
];

/** The payloads, each with what is wrong with it. */
export function malformedJobs(valid: EvaluationJob): { what: string; payload: unknown }[] {
  const base = JSON.parse(JSON.stringify(valid)) as Record<string, unknown>;
  return MUTATIONS.map(([what, mutate]) => ({ what, payload: JSON.parse(JSON.stringify(mutate(structuredClone(base)) ?? null)) as unknown }));
}
