/**
 * A throw-away redis-server on this host, for what needs a real Redis and must not touch a user's:
 * the queue's benchmark, its fault script and its tests. It listens on a free loopback port with
 * persistence off (a restart empties it, as a crashed Redis without persistence comes back), keeps
 * its files in a directory of its own, and is stopped by the caller. A user's searches run on their
 * own Redis (README, "Running on several machines").
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { NotAvailableError } from '../util/errors.js';

export interface LocalRedis {
  port: number;
  /** redis://127.0.0.1:<port> */
  url: string;
  /** Stop the server (`kill`: SIGKILL, a crash rather than a shutdown) and remove its directory. */
  stop(kill?: boolean): Promise<void>;
  /** Kill the server and start it again on the same port: an empty Redis, as after a crash without persistence. */
  restart(): Promise<void>;
}

/** Whether `redis-server` can be run here (Debian: apt-get install redis-server). */
export function redisServerInstalled(): boolean {
  return spawnSync('redis-server', ['--version']).status === 0;
}

/** A TCP port nobody listens on now, on the loopback interface. */
export async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no free port'))));
    });
  });
}

/** Resolves once the server on `port` answers PING. */
async function answering(port: number, child: ChildProcess, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new NotAvailableError(`redis-server on port ${port} exited at start (code ${child.exitCode})`);
    const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.ping();
      return;
    } catch {
      if (Date.now() > deadline) throw new NotAvailableError(`redis-server on port ${port} did not answer within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      client.disconnect();
    }
  }
}

/** Start a redis-server on a free loopback port (persistence off); NotAvailableError when it is not installed. */
export async function startLocalRedis(): Promise<LocalRedis> {
  if (!redisServerInstalled()) throw new NotAvailableError('redis-server is not installed (Debian: apt-get install redis-server)');
  const port = await freeLoopbackPort();
  const dir = mkdtempSync(join(tmpdir(), 'groupnas-redis-'));
  let child: ChildProcess | undefined;
  const launch = async () => {
    const c = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
    child = c;
    await answering(port, c);
  };
  const halt = async (kill: boolean) => {
    const c = child;
    child = undefined;
    if (c === undefined || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill(kill ? 'SIGKILL' : 'SIGTERM');
    await exited;
  };
  try {
    await launch();
  } catch (err) {
    await halt(true);
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    async stop(kill = false) {
      await halt(kill);
      rmSync(dir, { recursive: true, force: true });
    },
    async restart() {
      await halt(true);
      await launch();
    },
  };
}
