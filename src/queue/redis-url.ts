/**
 * Where the queue lives: a Redis URL, `redis://[[user]:password@]host[:port][/db]`, or `rediss://`
 * for TLS. Parsed here once, checked field by field (a typo names the field, not a socket error
 * later), and shown everywhere without its password.
 */
import { UsageError } from '../util/errors.js';

export interface RedisAddress {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  tls: boolean;
}

const DEFAULT_PORT = 6379;

/** `url` as a Redis address; `source` names where it came from (`--queue`, `evaluation.queue`) in errors. */
export function parseRedisUrl(url: string, source = '--queue'): RedisAddress {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UsageError(`${source}: expected redis://[:password@]host:port[/db] (or rediss:// for TLS), got ${JSON.stringify(redact(url))}`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new UsageError(`${source}: expected a redis:// or rediss:// URL, got the scheme ${JSON.stringify(u.protocol)}`);
  }
  if (u.hostname === '') throw new UsageError(`${source}: the URL names no host`);
  const port = u.port === '' ? DEFAULT_PORT : Number(u.port);
  const path = u.pathname.replace(/^\//, '');
  if (!/^\d*$/.test(path) || (path !== '' && Number(path) > 1_000_000)) {
    throw new UsageError(`${source}: the path is the database number (redis://host:port/0), got ${JSON.stringify(u.pathname)}`);
  }
  if (u.search !== '' || u.hash !== '') throw new UsageError(`${source}: the URL takes no query or fragment (${u.search}${u.hash})`);
  return {
    host: u.hostname.replace(/^\[(.*)\]$/, '$1'),
    port,
    db: path === '' ? 0 : Number(path),
    ...(u.username !== '' ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password !== '' ? { password: decodeURIComponent(u.password) } : {}),
    tls: u.protocol === 'rediss:',
  };
}

/** The address as a person reads it: no password. */
export function describeRedis(a: RedisAddress): string {
  const host = a.host.includes(':') ? `[${a.host}]` : a.host;
  return `${a.tls ? 'rediss' : 'redis'}://${a.username ? `${a.username}@` : ''}${host}:${a.port}/${a.db}`;
}

/** A URL with any password replaced, for messages about a URL that does not parse. */
function redact(url: string): string {
  return url.replace(/\/\/([^@/]*):[^@/]*@/, '//$1:***@');
}
