// Undeclared methods on a path that exists answer 405 with Allow (RFC 9110), not 400 or 404; unknown paths stay 404;
// neither is revealed without a token.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, makeApp, type TestApp } from './helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await makeApp();
});
afterAll(async () => {
  await t.app.close();
});

describe('405 Method Not Allowed', () => {
  const cases: [string, string, string][] = [
    ['DELETE', '/jobs/schedules', 'GET, HEAD, POST'],
    ['PATCH', '/jobs/runs', 'GET, HEAD'],
    ['TRACE', '/jobs/schedules/some-name', 'DELETE, GET, HEAD, PATCH, PUT'],
    ['OPTIONS', '/jobs/run/noop', 'POST'],
    ['GET', '/jobs/schedules/x/run', 'POST'],
    ['PUT', '/jobs/types', 'GET, HEAD'],
  ];
  for (const [method, url, allow] of cases) {
    it(`${method} ${url} → 405, Allow: ${allow}`, async () => {
      const r = await t.app.inject({ method: method as 'GET', url, headers: bearer() });
      expect(r.statusCode).toBe(405);
      expect(r.headers['allow']).toBe(allow);
      expect(r.json()).toMatchObject({
        code: 'CRAFT_API_METHOD_NOT_ALLOWED',
        details: { allow: allow.split(', ') },
      });
    });
  }

  it('an unknown path is still 404, and without a token both are 401', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/jobs/nothing', headers: bearer() })).statusCode).toBe(
      404,
    );
    expect((await t.app.inject({ method: 'DELETE', url: '/jobs/schedules' })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/jobs/nothing' })).statusCode).toBe(401);
  });
});

describe('methods no route takes', () => {
  it('QUERY without a Content-Type on an existing path is 405, not the body error', async () => {
    const r = await t.app.inject({ method: 'QUERY' as 'GET', url: '/jobs/runs', headers: bearer() });
    expect(r.statusCode).toBe(405);
    expect(r.headers['allow']).toBe('GET, HEAD');
  });
});
