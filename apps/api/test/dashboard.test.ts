// The dashboard (@craft/dashboard) as the service mounts it: /ui and its files need no token, everything else
// still does, DASHBOARD_ENABLED=false takes it away, and the printed development URL signs in through the
// fragment.
import { afterEach, describe, expect, it } from 'vitest';
import { DASHBOARD_PREFIX, loadConfig, startServer } from '../src/index.js';
import { bearer, makeApp, type TestApp } from './helpers.js';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.app.close();
  t = undefined;
});

describe('the dashboard at /ui', () => {
  it('serves the page and its files without a token, with its CSP; the API still needs one', async () => {
    t = await makeApp();
    expect(DASHBOARD_PREFIX).toBe('/ui');
    const page = await t.app.inject({ method: 'GET', url: '/ui/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['content-security-policy']).toMatch(/connect-src 'self'/);
    expect(page.body).toContain('<base href="/ui/">');
    const client = await t.app.inject({ method: 'GET', url: '/ui/schedules/nightly' });
    expect(client.statusCode).toBe(200);
    expect(client.body).toBe(page.body);
    const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(page.body)?.[1];
    expect(script).toBeDefined();
    const js = await t.app.inject({ method: 'GET', url: `/ui/${script}` });
    expect(js.statusCode).toBe(200);
    expect(js.headers['cache-control']).toContain('immutable');
    expect((await t.app.inject({ method: 'GET', url: '/ui' })).headers.location).toBe('/ui/');
    expect((await t.app.inject({ method: 'GET', url: '/jobs/schedules' })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/uix' })).statusCode).toBe(401);
  });

  it('stays out of the OpenAPI document', async () => {
    t = await makeApp({ swaggerUi: false });
    const doc = (await t.app.inject({ method: 'GET', url: '/docs/json' })).json() as { paths: object };
    expect(Object.keys(doc.paths).filter((p) => p.startsWith('/ui'))).toEqual([]);
  });

  it('DASHBOARD_ENABLED=false: not mounted (/ui is an unknown route: 401 without a token, 404 with one)', async () => {
    expect(loadConfig({ DASHBOARD_ENABLED: 'false' }).dashboardEnabled).toBe(false);
    expect(loadConfig({ DASHBOARD_ENABLED: '0' }).dashboardEnabled).toBe(false);
    expect(loadConfig({}).dashboardEnabled).toBe(true);
    expect(() => loadConfig({ DASHBOARD_ENABLED: 'maybe' })).toThrow(/DASHBOARD_ENABLED/);
    t = await makeApp({ config: { dashboardEnabled: false } });
    expect((await t.app.inject({ method: 'GET', url: '/ui/' })).statusCode).toBe(401);
    const withToken = await t.app.inject({ method: 'GET', url: '/ui/', headers: bearer() });
    expect(withToken.statusCode).toBe(404);
    expect(withToken.json()).toMatchObject({ code: 'CRAFT_API_ROUTE_NOT_FOUND' });
  });
});

describe('the startup banner', () => {
  it('prints the dashboard URL with the development token after #, which signs in', async () => {
    let printed = '';
    const server = await startServer({
      env: { PORT: '0', LOG_LEVEL: 'silent', SCHEDULER_ENABLED: 'false' },
      handleSignals: false,
      out: { write: (s: string) => (printed += s) },
    });
    try {
      const url = `${server.url}/ui/#token=${server.devToken}`;
      expect(printed).toContain(`\n${url}\n`);
      // What a browser requests for that URL: the part before '#'.
      const res = await fetch(url.split('#')[0] as string);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('craft-dashboard');
    } finally {
      await server.close();
    }
  });

  it('prints no dashboard URL when the dashboard is off', async () => {
    let printed = '';
    const server = await startServer({
      env: { PORT: '0', LOG_LEVEL: 'silent', SCHEDULER_ENABLED: 'false', DASHBOARD_ENABLED: 'false' },
      handleSignals: false,
      out: { write: (s: string) => (printed += s) },
    });
    try {
      expect(printed).toContain('CRAFT_TOKEN');
      expect(printed).not.toContain('#token=');
    } finally {
      await server.close();
    }
  });
});
