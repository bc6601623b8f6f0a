/**
 * Connections to the queue's Redis: the options BullMQ and our own clients share (reconnect with
 * backoff, forever: a Redis restart is weathered, not fatal), and connection errors said in one
 * line — what went wrong in words (nothing listens there, wrong password, host unknown), once per
 * change rather than once per retry.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { NotAvailableError } from '../util/errors.js';
import { describeRedis, type RedisAddress } from './redis-url.js';

/** Reconnect after 0.25 s, doubling up to this. */
const MAX_BACKOFF_MS = 5000;

export function reconnectDelayMs(attempt: number): number {
  return Math.min(MAX_BACKOFF_MS, 250 * 2 ** Math.min(attempt - 1, 10));
}

/** ioredis options for `address` (BullMQ's need `maxRetriesPerRequest: null`: commands wait out a reconnect). */
export function redisOptions(address: RedisAddress): RedisOptions & { retryStrategy: (attempt: number) => number } {
  return {
    host: address.host,
    port: address.port,
    db: address.db,
    ...(address.username !== undefined ? { username: address.username } : {}),
    ...(address.password !== undefined ? { password: address.password } : {}),
    ...(address.tls ? { tls: { servername: address.host } } : {}),
    maxRetriesPerRequest: null,
    retryStrategy: reconnectDelayMs,
  };
}

/** A connection error in words, with the address (never the password). */
export function connectionProblem(err: unknown, address: RedisAddress): string {
  const e = err as { code?: string; message?: string } | undefined;
  const text = e?.message ?? String(err);
  const where = describeRedis(address);
  if (e?.code === 'ECONNREFUSED') return `${where}: nothing accepts connections there (is redis-server running?)`;
  if (e?.code === 'ENOTFOUND' || e?.code === 'EAI_AGAIN') return `${where}: the host ${address.host} is not known`;
  if (e?.code === 'ETIMEDOUT') return `${where}: connecting timed out`;
  if (/WRONGPASS|invalid username-password/i.test(text)) return `${where}: Redis refused the password`;
  if (/NOAUTH/.test(text)) return `${where}: Redis asks for a password (redis://:password@host:port)`;
  if (/ERR AUTH.*without any password/i.test(text)) return `${where}: a password was given, but this Redis has none`;
  return `${where}: ${text.split('\n')[0]}`;
}

/**
 * A logger for one connection's errors: each distinct problem is logged once until the connection
 * works again (`recovered`), so a Redis that is down for a minute makes one line, not a hundred.
 */
export function connectionLog(address: RedisAddress, log: (line: string) => void): { error(err: unknown): void; recovered(): void } {
  let last: string | undefined;
  return {
    error(err) {
      const line = connectionProblem(err, address);
      if (line === last) return;
      last = line;
      log(`${line}; retrying`);
    },
    recovered() {
      if (last === undefined) return;
      last = undefined;
      log(`${describeRedis(address)}: connected again`);
    },
  };
}

/** A client of our own (the run registry, the teacher's files), its errors going to `onError`. */
export function openRedis(address: RedisAddress, onError: (err: unknown) => void, onReady: () => void = () => {}): Redis {
  const client = new Redis(redisOptions(address));
  client.on('error', onError);
  client.on('ready', onReady);
  return client;
}

/** Resolves once `client` answers PING; rejects with the problem in words after `timeoutMs`. */
export async function reachable(client: Redis, address: RedisAddress, timeoutMs: number): Promise<void> {
  let lastError: unknown;
  const onError = (err: unknown) => (lastError = err);
  client.on('error', onError);
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.ping(),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(lastError !== undefined ? connectionProblem(lastError, address) : `${describeRedis(address)}: no answer`)),
          timeoutMs,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
    client.off('error', onError);
  }
}

/** Check that the Redis at `address` answers (before a search spends time on its supernet); one line when it does not. */
export async function checkRedisReachable(address: RedisAddress, timeoutMs = 10_000): Promise<void> {
  const client = new Redis({ ...redisOptions(address), lazyConnect: false });
  client.on('error', () => {});
  try {
    await reachable(client, address, timeoutMs);
  } catch (err) {
    throw new NotAvailableError(`queue ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    client.disconnect();
  }
}
