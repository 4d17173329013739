import { generateKeyPairSync } from 'node:crypto';
import { createSigner } from 'fast-jwt';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { type ApiConfig, algorithmForKey } from '../src/index.js';
import { ALL, bearer, makeApp, SECRET, scheduleBody, type TestApp, token } from './helpers.js';

const SCOPES = ['jobs:read', 'jobs:write', 'jobs:run'];

interface RouteCase {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  scope: string;
  payload?: Record<string, unknown>;
}

// Every authenticated endpoint with the scope it needs.
const ROUTES: RouteCase[] = [
  { method: 'POST', url: '/jobs/schedules', scope: 'jobs:write', payload: scheduleBody('new-one') },
  { method: 'GET', url: '/jobs/schedules', scope: 'jobs:read' },
  { method: 'GET', url: '/jobs/schedules/existing', scope: 'jobs:read' },
  {
    method: 'PUT',
    url: '/jobs/schedules/existing',
    scope: 'jobs:write',
    payload: { cron_expression: '0 5 * * *', job_type: 'noop' },
  },
  { method: 'PATCH', url: '/jobs/schedules/existing', scope: 'jobs:write', payload: { description: 'x' } },
  { method: 'DELETE', url: '/jobs/schedules/existing', scope: 'jobs:write' },
  { method: 'POST', url: '/jobs/schedules/existing/enable', scope: 'jobs:write' },
  { method: 'POST', url: '/jobs/schedules/existing/disable', scope: 'jobs:write' },
  { method: 'GET', url: '/jobs/schedules/existing/next-runs?count=2', scope: 'jobs:read' },
  { method: 'GET', url: '/jobs/cron/next-runs?cron_expression=0+3+*+*+*', scope: 'jobs:read' },
  { method: 'POST', url: '/jobs/schedules/existing/run', scope: 'jobs:run' },
  { method: 'POST', url: '/jobs/check-schedules', scope: 'jobs:run' },
  { method: 'POST', url: '/jobs/run/noop', scope: 'jobs:run', payload: {} },
  { method: 'GET', url: '/jobs/types', scope: 'jobs:read' },
  { method: 'GET', url: '/jobs/runs', scope: 'jobs:read' },
  { method: 'GET', url: '/jobs/runs/some-id', scope: 'jobs:read' },
  { method: 'GET', url: '/jobs/pause', scope: 'jobs:read' },
  { method: 'POST', url: '/jobs/pause', scope: 'jobs:write', payload: { reason: 'x' } },
  { method: 'POST', url: '/jobs/resume', scope: 'jobs:write', payload: {} },
  { method: 'POST', url: '/jobs/runs/some-run/cancel', scope: 'jobs:run' },
  {
    method: 'POST',
    url: '/jobs/schedules/existing/backfill',
    scope: 'jobs:run',
    payload: { from: '2020-01-01T00:00:00Z', to: '2020-01-02T00:00:00Z' },
  },
  { method: 'GET', url: '/metrics', scope: 'jobs:read' },
  // The event stream never ends: with the scope it is answered here by its query validation (400), not a stream.
  { method: 'GET', url: '/jobs/events?types=not+a+type', scope: 'jobs:read' },
];

let t: TestApp;

async function snapshot() {
  return JSON.stringify({ schedules: await t.store.listSchedules(), runs: await t.store.countRuns() });
}

describe('scopes on every endpoint', () => {
  beforeAll(async () => {
    t = await makeApp();
  });
  afterAll(async () => {
    await t.app.close();
  });
  beforeEach(async () => {
    await t.store.deleteSchedule('new-one');
    if (!(await t.store.getSchedule('existing'))) {
      await t.app.schedules.create({ jobName: 'existing', cronExpression: '0 3 * * *', jobType: 'noop' });
    }
  });

  it('the route table covers every authenticated route of the app', () => {
    // Rebuild "METHOD /full/path" from Fastify's route tree (4 characters per level).
    const stack: string[] = [];
    const actual = new Set<string>();
    for (const line of t.app.printRoutes({ commonPrefix: false }).split('\n')) {
      const m = /^([│ ]*)[├└]── (\S+) \(([^)]+)\)/.exec(line);
      if (!m) continue;
      const depth = (m[1] as string).length / 4;
      stack.length = depth;
      stack.push(m[2] as string);
      for (const method of (m[3] as string).split(', ')) {
        // GET /jobs/runs/:id and POST /jobs/runs/:run_id/cancel share a tree node, printed as ":id|:run_id".
        const path = stack.join('').replace(':id|:run_id', method === 'GET' ? ':id' : ':run_id');
        if (method !== 'HEAD') actual.add(`${method} ${path}`);
      }
    }
    const pattern = (url: string) =>
      (url.split('?')[0] as string)
        .replace('/existing', '/:job_name')
        .replace('/some-id', '/:id')
        .replace('/some-run', '/:run_id')
        .replace('/noop', '/:job_type');
    const table = new Set(ROUTES.map((r) => `${r.method} ${pattern(r.url)}`));
    // The dashboard's page and files (@craft/dashboard at /ui) are public too.
    const open = ['GET /health', 'GET /ready', 'GET /docs/json', 'GET /ui', 'GET /ui/', 'GET /ui/*'];
    expect([...actual].sort()).toEqual([...table, ...open].sort());
  });

  for (const route of ROUTES) {
    const name = `${route.method} ${route.url}`;
    it(`${name}: no token → 401, changes nothing`, async () => {
      const before = await snapshot();
      const res = await t.app.inject({ method: route.method, url: route.url, payload: route.payload });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({
        statusCode: 401,
        code: 'CRAFT_API_AUTH_MISSING',
        error: 'Unauthorized',
      });
      expect(res.headers['www-authenticate']).toBe('Bearer');
      expect(await snapshot()).toBe(before);
    });

    it(`${name}: every scope but ${route.scope} → 403, changes nothing`, async () => {
      const before = await snapshot();
      const others = SCOPES.filter((s) => s !== route.scope).join(' ');
      const res = await t.app.inject({
        method: route.method,
        url: route.url,
        payload: route.payload,
        headers: bearer(token(others)),
      });
      expect(res.statusCode).toBe(403);
      expect(res.json()).toMatchObject({
        code: 'CRAFT_API_FORBIDDEN',
        details: { required_scope: route.scope, granted_scopes: others.split(' ') },
      });
      expect(await snapshot()).toBe(before);
    });

    it(`${name}: only ${route.scope} is enough`, async () => {
      const res = await t.app.inject({
        method: route.method,
        url: route.url,
        payload: route.payload,
        headers: bearer(token(route.scope)),
      });
      expect([401, 403]).not.toContain(res.statusCode);
      expect(res.statusCode).toBeLessThan(500);
      await t.app.scheduler.idle();
    });
  }

  it('health, readiness and the OpenAPI document are public', async () => {
    for (const url of ['/health', '/ready', '/docs/json']) {
      expect((await t.app.inject({ method: 'GET', url })).statusCode).toBe(200);
    }
  });

  it('an unknown route needs a token (401), and with one it is 404', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/secret-path' })).statusCode).toBe(401);
    const res = await t.app.inject({ method: 'GET', url: '/secret-path', headers: bearer() });
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('CRAFT_API_ROUTE_NOT_FOUND');
  });
});

describe('HS256 token matrix', () => {
  beforeAll(async () => {
    t = await makeApp();
  });
  afterAll(async () => {
    await t.app.close();
  });
  const call = (authorization: string) =>
    t.app.inject({
      method: 'POST',
      url: '/jobs/schedules',
      headers: { authorization },
      payload: scheduleBody('m'),
    });
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

  const cases: [string, () => string, string][] = [
    ['a Basic header', () => `Basic ${Buffer.from('u:p').toString('base64')}`, 'CRAFT_API_AUTH_INVALID'],
    ['"Bearer" without a token', () => 'Bearer', 'CRAFT_API_AUTH_INVALID'],
    ['garbage instead of a JWT', () => 'Bearer not-a-jwt', 'CRAFT_API_AUTH_INVALID'],
    [
      'a JWT with a broken payload',
      () => `Bearer ${b64({ alg: 'HS256' })}.%%%.sig`,
      'CRAFT_API_AUTH_INVALID',
    ],
    [
      'an expired token',
      () => `Bearer ${token(ALL, { now: Date.now() - 7_200_000, expiresInMs: 3_600_000 })}`,
      'CRAFT_API_AUTH_EXPIRED',
    ],
    [
      'a token signed with another secret',
      () => `Bearer ${token(ALL, { secret: 'x'.repeat(40) })}`,
      'CRAFT_API_AUTH_INVALID',
    ],
    [
      'a token signed with HS512 (wrong algorithm)',
      () => `Bearer ${createSigner({ key: SECRET, algorithm: 'HS512' })({ scope: ALL })}`,
      'CRAFT_API_AUTH_INVALID',
    ],
    [
      'an unsigned token (alg none)',
      () => `Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${b64({ scope: ALL })}.`,
      'CRAFT_API_AUTH_INVALID',
    ],
    [
      'a token that is not valid yet (nbf)',
      () => `Bearer ${token(ALL, { claims: { nbf: Math.floor(Date.now() / 1000) + 3600 } })}`,
      'CRAFT_API_AUTH_INVALID',
    ],
  ];

  for (const [name, header, code] of cases) {
    it(`${name} → 401 ${code}, creates nothing`, async () => {
      const res = await call(header());
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ statusCode: 401, code });
      expect(res.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
      expect(await t.store.getSchedule('m')).toBeNull();
    });
  }

  // Verified tokens are cached by their text (plugins/auth.ts): the cache must not outlive a token, nor cross apps.
  it('an accepted token is refused once it expires (its cache entry lapses with it)', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const shortLived = token('jobs:read', { expiresInMs: 60_000 });
      const get = () => t.app.inject({ method: 'GET', url: '/jobs/types', headers: bearer(shortLived) });
      expect((await get()).statusCode).toBe(200);
      expect((await get()).statusCode).toBe(200);
      vi.setSystemTime(Date.now() + 61_000);
      const res = await get();
      expect(res.statusCode).toBe(401);
      expect(res.json().code).toBe('CRAFT_API_AUTH_EXPIRED');
    } finally {
      vi.useRealTimers();
    }
  });

  it('a token accepted by one app is refused by an app with another secret', async () => {
    const accepted = token(ALL);
    expect(
      (await t.app.inject({ method: 'GET', url: '/jobs/types', headers: bearer(accepted) })).statusCode,
    ).toBe(200);
    const other = await makeApp({
      config: { jwt: { kind: 'secret', secret: 'y'.repeat(40), generated: false } },
    });
    try {
      const res = await other.app.inject({ method: 'GET', url: '/jobs/types', headers: bearer(accepted) });
      expect(res.statusCode).toBe(401);
      expect(res.json().code).toBe('CRAFT_API_AUTH_INVALID');
    } finally {
      await other.app.close();
    }
  });

  it('a token without any scope → 403', async () => {
    const res = await call(`Bearer ${token(null)}`);
    expect(res.statusCode).toBe(403);
    expect(res.json().details.granted_scopes).toEqual([]);
  });

  it('scopes may come as an array or in the scp claim', async () => {
    const asArray = await t.app.inject({
      method: 'GET',
      url: '/jobs/types',
      headers: bearer(token(null, { claims: { scope: ['jobs:read'] } })),
    });
    expect(asArray.statusCode).toBe(200);
    const scp = await t.app.inject({
      method: 'GET',
      url: '/jobs/types',
      headers: bearer(token(null, { claims: { scp: 'jobs:read' } })),
    });
    expect(scp.statusCode).toBe(200);
  });

  it('the auth failure messages can be overridden', async () => {
    const custom = await makeApp({ authMessages: { missing: 'show me a token' } });
    const res = await custom.app.inject({ method: 'GET', url: '/jobs/types' });
    expect(res.json().message).toBe('show me a token');
    await custom.app.close();
  });
});

describe('issuer and audience', () => {
  beforeAll(async () => {
    t = await makeApp({ config: { jwtIssuer: 'https://idp.example', jwtAudience: 'craft-api' } });
  });
  afterAll(async () => {
    await t.app.close();
  });
  const types = (claims: Record<string, unknown>) =>
    t.app.inject({ method: 'GET', url: '/jobs/types', headers: bearer(token('jobs:read', { claims })) });

  it('accepts the configured iss and aud', async () => {
    expect((await types({ iss: 'https://idp.example', aud: 'craft-api' })).statusCode).toBe(200);
  });

  it('rejects a missing or wrong iss or aud with 401', async () => {
    for (const claims of [
      {},
      { iss: 'https://idp.example' },
      { iss: 'https://evil.example', aud: 'craft-api' },
      { iss: 'https://idp.example', aud: 'other-api' },
    ]) {
      const res = await types(claims);
      expect(res.statusCode).toBe(401);
      expect(res.json().code).toBe('CRAFT_API_AUTH_INVALID');
    }
  });
});

for (const kind of ['RS256', 'ES256'] as const) {
  describe(`${kind} with a PEM public key`, () => {
    const pair =
      kind === 'RS256'
        ? generateKeyPairSync('rsa', { modulusLength: 2048 })
        : generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const other =
      kind === 'RS256'
        ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
        : generateKeyPairSync('rsa', { modulusLength: 2048 });
    const stranger =
      kind === 'RS256'
        ? generateKeyPairSync('rsa', { modulusLength: 2048 })
        : generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const pemOf = (k: typeof pair) => k.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const sign = (key: string, algorithm: 'RS256' | 'ES256' | 'HS256', scope = 'jobs:read') =>
      createSigner({ key, algorithm })({ sub: 'idp-user', scope });
    const jwt: ApiConfig['jwt'] = { kind: 'public-key', publicKey: pem, algorithm: kind };

    beforeAll(async () => {
      t = await makeApp({ config: { jwt } });
    });
    afterAll(async () => {
      await t.app.close();
    });
    const types = (tok: string) => t.app.inject({ method: 'GET', url: '/jobs/types', headers: bearer(tok) });

    it(`detects ${kind} from the key`, () => {
      expect(algorithmForKey(pem)).toBe(kind);
    });

    it(`accepts a ${kind} token signed by the matching private key`, async () => {
      expect((await types(sign(pemOf(pair), kind))).statusCode).toBe(200);
    });

    it('rejects a token signed by another key of the same type', async () => {
      const res = await types(sign(pemOf(stranger), kind));
      expect(res.statusCode).toBe(401);
      expect(res.json().code).toBe('CRAFT_API_AUTH_INVALID');
    });

    it('rejects a token of the other asymmetric algorithm', async () => {
      const otherAlg = kind === 'RS256' ? 'ES256' : 'RS256';
      expect((await types(sign(pemOf(other), otherAlg))).statusCode).toBe(401);
    });

    it('rejects an HS256 token signed with the public key as the secret (algorithm confusion)', async () => {
      const res = await types(sign(pem, 'HS256'));
      expect(res.statusCode).toBe(401);
      expect(res.json().code).toBe('CRAFT_API_AUTH_INVALID');
    });

    it('rejects an HS256 token and checks scopes of valid ones', async () => {
      expect((await types(token('jobs:read'))).statusCode).toBe(401);
      const res = await t.app.inject({
        method: 'POST',
        url: '/jobs/check-schedules',
        headers: bearer(sign(pemOf(pair), kind, 'jobs:read')),
      });
      expect(res.statusCode).toBe(403);
    });
  });
}

describe('/metrics with METRICS_TOKEN', () => {
  const metricsToken = 'metrics-token-0123456789';
  beforeAll(async () => {
    t = await makeApp({ config: { metricsToken } });
  });
  afterAll(async () => {
    await t.app.close();
  });

  it('the static token reads /metrics', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/metrics', headers: bearer(metricsToken) });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
  });

  it('the static token reads nothing else', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/jobs/schedules', headers: bearer(metricsToken) });
    expect(res.statusCode).toBe(401);
  });

  it('a wrong static token is 401', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/metrics', headers: bearer(`${metricsToken}x`) });
    expect(res.statusCode).toBe(401);
  });
});
