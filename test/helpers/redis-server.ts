/**
 * A real redis-server for the queue's tests (no mocks): src/queue/local-redis.ts on a free loopback
 * port, persistence off, stopped by the test. Tests that need one skip when the Debian package is
 * missing; `.ci/run` installs it.
 */
import { redisServerInstalled } from '../../src/queue/local-redis.js';

export { startLocalRedis as startRedisServer, type LocalRedis as RedisServer } from '../../src/queue/local-redis.js';

export const HAVE_REDIS = redisServerInstalled();
