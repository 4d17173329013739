// Rate limits per client (fixed windows, plugins/rate-limit.ts): keyed by the token's sub (by IP without a valid token), 429 with
// Retry-After and RateLimit-* headers, nothing done by a refused request, probes and docs exempt.
import { afterEach, describe, expect, it } from 'vitest';
import { bearer, makeApp, scheduleBody, type TestApp, token } from './helpers.js';

let t: TestApp;
afterEach(async () => {
  await t?.app.close();
});

const limited = (max: number) => makeApp({ config: { rateLimitMax: max, rateLimitWindowSeconds: 60 } });

describe('rate limits', () => {
  it('lets a client make RATE_LIMIT_MAX requests per window, then answers 429 with Retry-After and RateLimit-*', async () => {
    t = await limited(3);
    for (let i = 0; i < 3; i++) {
      const r = await t.app.inject({ method: 'GET', url: '/jobs/schedules', headers: bearer() });
      expect(r.statusCode).toBe(200);
      expect(r.headers['ratelimit-limit']).toBe('3');
      expect(r.headers['ratelimit-remaining']).toBe(String(2 - i));
      expect(Number(r.headers['ratelimit-reset'])).toBeGreaterThan(0);
    }
    const over = await t.app.inject({ method: 'GET', url: '/jobs/schedules', headers: bearer() });
    expect(over.statusCode).toBe(429);
    expect(over.json()).toMatchObject({
      code: 'CRAFT_API_RATE_LIMITED',
      details: { limit: 3, window_seconds: 60 },
    });
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(over.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(over.headers['ratelimit-remaining']).toBe('0');
  });

  it('a limited client changes nothing: a POST over the limit creates no schedule', async () => {
    t = await limited(2);
    const create = (name: string) =>
      t.app.inject({
        method: 'POST',
        url: '/jobs/schedules',
        headers: bearer(),
        payload: scheduleBody(name),
      });
    expect((await create('a')).statusCode).toBe(201);
    expect((await create('b')).statusCode).toBe(201);
    const refused = await create('c');
    expect(refused.statusCode).toBe(429);
    expect((await t.store.listSchedules()).map((s) => s.jobName)).toEqual(['a', 'b']);
  });

  it('counts each token subject apart; bad tokens count by IP address and are limited before they are refused', async () => {
    t = await limited(2);
    const alice = bearer(token(undefined, { claims: { sub: 'alice' } }));
    const bob = bearer(token(undefined, { claims: { sub: 'bob' } }));
    for (let i = 0; i < 2; i++) {
      await t.app.inject({ method: 'GET', url: '/jobs/types', headers: alice });
    }
    expect((await t.app.inject({ method: 'GET', url: '/jobs/types', headers: alice })).statusCode).toBe(429);
    expect((await t.app.inject({ method: 'GET', url: '/jobs/types', headers: bob })).statusCode).toBe(200);
    const bad = { authorization: 'Bearer not-a-jwt' };
    expect((await t.app.inject({ method: 'GET', url: '/jobs/types', headers: bad })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/jobs/types', headers: bad })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/jobs/types', headers: bad })).statusCode).toBe(429);
    // A forged token cannot pick a fresh bucket: it is not verified, so it counts by IP as well.
    const forged = bearer(token(undefined, { secret: 'x'.repeat(40), claims: { sub: 'carol' } }));
    expect((await t.app.inject({ method: 'GET', url: '/jobs/types', headers: forged })).statusCode).toBe(429);
  });

  it('exempts /health, /ready, /metrics and /docs', async () => {
    t = await makeApp({ config: { rateLimitMax: 1 }, swaggerUi: false });
    for (const url of ['/health', '/ready', '/metrics', '/docs/json']) {
      for (let i = 0; i < 3; i++) {
        const r = await t.app.inject({ method: 'GET', url, headers: bearer() });
        expect(r.statusCode, url).toBe(200);
        expect(r.headers['ratelimit-limit'], url).toBeUndefined();
      }
    }
  });

  it('RATE_LIMIT_MAX=0 turns it off: no 429, no RateLimit headers', async () => {
    t = await limited(0);
    for (let i = 0; i < 20; i++) {
      const r = await t.app.inject({ method: 'GET', url: '/jobs/types', headers: bearer() });
      expect(r.statusCode).toBe(200);
      expect(r.headers['ratelimit-limit']).toBeUndefined();
    }
  });
});
