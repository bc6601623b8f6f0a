import { describe, expect, it } from 'vitest';
import { describeRedis, parseRedisUrl } from '../../src/queue/redis-url.js';
import { UsageError } from '../../src/util/errors.js';

describe('parseRedisUrl', () => {
  it('reads host, port, db, password and TLS', () => {
    expect(parseRedisUrl('redis://127.0.0.1:6390/2')).toEqual({ host: '127.0.0.1', port: 6390, db: 2, tls: false });
    expect(parseRedisUrl('redis://:s%40cret@head')).toEqual({ host: 'head', port: 6379, db: 0, password: 's@cret', tls: false });
    expect(parseRedisUrl('rediss://alice:pw@[::1]:7000')).toEqual({ host: '::1', port: 7000, db: 0, username: 'alice', password: 'pw', tls: true });
  });

  it('shows an address without its password', () => {
    const shown = describeRedis(parseRedisUrl('redis://alice:hunter2@head:6380/1'));
    expect(shown).toBe('redis://alice@head:6380/1');
    expect(shown).not.toContain('hunter2');
  });

  it.each([
    ['head:6379', /redis:\/\/ or rediss:\/\/ URL, got the scheme "head:"/],
    ['http://head:6379', /redis:\/\/ or rediss:\/\/ URL.*"http:"/],
    ['redis://head:6379/zero', /the path is the database number/],
    ['redis://head:6379/0?timeout=1', /no query/],
  ])('refuses %s, naming the option', (url, message) => {
    expect(() => parseRedisUrl(url, '--queue')).toThrow(UsageError);
    expect(() => parseRedisUrl(url, '--queue')).toThrow(/^--queue: /);
    expect(() => parseRedisUrl(url)).toThrow(message);
  });

  it('never repeats the password of a URL it cannot read', () => {
    expect(() => parseRedisUrl('redis://:hunter2@head:notaport')).toThrow(/\*\*\*/);
    try {
      parseRedisUrl('redis://:hunter2@head:notaport');
    } catch (err) {
      expect((err as Error).message).not.toContain('hunter2');
    }
  });
});
