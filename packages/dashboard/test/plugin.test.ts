// The plugin in a plain Fastify app (app.inject): headers, caching, compression, the SPA fallback, options.
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { type DashboardOptions, dashboard, InvalidOptionError } from '../src/index.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function make(options: DashboardOptions = {}): Promise<FastifyInstance> {
  app = Fastify({ logger: false });
  await app.register(dashboard, options);
  await app.ready();
  return app;
}

const get = (url: string, headers: Record<string, string> = {}) =>
  (app as FastifyInstance).inject({ method: 'GET', url, headers });

function scriptOf(html: string): string {
  const src = /<script type="module"[^>]* src="\.\/(assets\/[^"]+\.js)"/.exec(html)?.[1];
  if (!src) throw new Error(`no module script in ${html}`);
  return src;
}

describe('the page', () => {
  it('is served at <prefix>/ with a strict Content-Security-Policy and hardening headers', async () => {
    await make();
    const res = await get('/ui/');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    const csp = String(res.headers['content-security-policy']);
    const directives = Object.fromEntries(
      csp.split(/;\s*/).map((d) => [d.split(' ')[0], d.split(' ').slice(1).join(' ')]),
    );
    expect(directives).toEqual({
      'default-src': "'none'",
      'script-src': "'self'",
      'style-src': "'self'",
      'img-src': "'self' data:",
      'font-src': "'self'",
      'connect-src': "'self'",
      'manifest-src': "'self'",
      'base-uri': "'self'",
      'form-action': "'none'",
      'frame-ancestors': "'none'",
    });
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
    expect(res.headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
      'cache-control': 'no-cache',
    });
    expect(res.body).toMatch(/^<!doctype html>/i);
  });

  it('has no inline script or style for the CSP to block', async () => {
    await make();
    const html = (await get('/ui/')).body;
    for (const [, attrs, body] of html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/gi)) {
      expect(attrs).toMatch(/\bsrc="/);
      expect(body?.trim()).toBe('');
    }
    expect(html).not.toMatch(/<style|\sstyle="|\son[a-z]+="/i);
  });

  it('carries the options: a <base> for the prefix, the title (escaped) and the settings in a <meta>', async () => {
    await make({ prefix: '/admin/jobs', apiBase: '/scheduler', title: 'Jobs <prod> & "eu"' });
    const html = (await get('/admin/jobs/')).body;
    expect(html).toContain('<base href="/admin/jobs/">');
    expect(html).toContain('<title>Jobs &lt;prod&gt; &amp; &quot;eu&quot;</title>');
    const meta = /<meta name="craft-dashboard" content="([^"]*)">/.exec(html)?.[1] ?? '';
    const settings = JSON.parse(
      meta
        .replace(/&quot;/g, '"')
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&amp;/g, '&'),
    );
    expect(settings).toEqual({ prefix: '/admin/jobs', apiBase: '/scheduler', title: 'Jobs <prod> & "eu"' });
    expect((await get('/ui/')).statusCode).toBe(404);
  });

  it('redirects <prefix> to <prefix>/ keeping the query (the browser keeps the #fragment)', async () => {
    await make();
    const res = await get('/ui?x=1');
    expect(res.statusCode).toBe(301);
    expect(res.headers.location).toBe('/ui/?x=1');
  });

  it('answers every client route with the page (SPA fallback), and a missing file with 404', async () => {
    await make();
    const page = (await get('/ui/')).body;
    for (const url of [
      '/ui/schedules/nightly',
      '/ui/schedules/a%2Fb/edit',
      '/ui/runs?status=failed',
      '/ui/index.html',
    ]) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(200);
      expect(res.body, url).toBe(page);
    }
    for (const url of [
      '/ui/assets/index-000000.js',
      '/ui/assets/gone',
      '/ui/robots.txt',
      '/ui/schedules/x.png',
    ]) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.headers['content-type'], url).toMatch(/^text\/plain/);
      expect(res.headers['content-security-policy'], url).toBeDefined();
    }
  });

  it('lets an API on another origin through connect-src, and nothing else', async () => {
    await make({ apiBase: 'https://api.example.com:8443/v1' });
    const csp = String((await get('/ui/')).headers['content-security-policy']);
    expect(csp).toContain("connect-src 'self' https://api.example.com:8443;");
  });
});

describe('the files', () => {
  it('caches hashed assets for a year (immutable), revalidates the rest, and answers 304 to a matching ETag', async () => {
    await make();
    const script = scriptOf((await get('/ui/')).body);
    const js = await get(`/ui/${script}`);
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const etag = String(js.headers.etag);
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await get(`/ui/${script}`, { 'if-none-match': etag });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    const icon = await get('/ui/favicon.svg');
    expect(icon.headers['content-type']).toBe('image/svg+xml');
    expect(icon.headers['cache-control']).toBe('no-cache');
  });

  it('compresses text with brotli or gzip as the client accepts, and not when it refuses', async () => {
    await make();
    const script = scriptOf((await get('/ui/')).body);
    const plain = await get(`/ui/${script}`);
    expect(plain.headers['content-encoding']).toBeUndefined();
    const br = await get(`/ui/${script}`, { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toBe('accept-encoding');
    expect(brotliDecompressSync(br.rawPayload).toString()).toBe(plain.body);
    const gz = await get(`/ui/${script}`, { 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.rawPayload).toString()).toBe(plain.body);
    const refused = await get(`/ui/${script}`, { 'accept-encoding': 'br;q=0, gzip;q=0' });
    expect(refused.headers['content-encoding']).toBeUndefined();
  });

  it('answers HEAD like GET without a body', async () => {
    await make();
    const res = await (app as FastifyInstance).inject({ method: 'HEAD', url: '/ui/' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('');
    expect(res.headers['content-security-policy']).toBeDefined();
  });
});

describe('in an app with its own hooks', () => {
  it('merges routeConfig into its routes (an auth hook can mark them public) and needs no token itself', async () => {
    app = Fastify({ logger: false });
    const seen: unknown[] = [];
    app.addHook('onRequest', async (request, reply) => {
      seen.push(request.routeOptions.config);
      const config = request.routeOptions.config as { auth?: string };
      if (config.auth !== 'public' && !request.headers.authorization)
        return reply.code(401).send({ error: 'token' });
    });
    app.get('/jobs/schedules', async () => ({ items: [] }));
    await app.register(dashboard, { routeConfig: { auth: 'public' } });
    await app.ready();
    expect((await get('/ui/')).statusCode).toBe(200);
    expect((await get('/ui/runs')).statusCode).toBe(200);
    expect((await get('/jobs/schedules')).statusCode).toBe(401);
    expect(seen[0]).toMatchObject({ auth: 'public' });
  });

  it('is a fastify-plugin named @craft/dashboard for Fastify 5', async () => {
    const meta = (dashboard as unknown as Record<symbol, { name: string; fastify: string }>)[
      Symbol.for('plugin-meta')
    ];
    expect(meta).toMatchObject({ name: '@craft/dashboard', fastify: '5.x' });
  });
});

describe('options', () => {
  it.each([
    ['prefix', { prefix: '/' }],
    ['prefix', { prefix: 'ui' }],
    ['prefix', { prefix: '/ui/' }],
    ['prefix', { prefix: '/ui?x' }],
    ['apiBase', { apiBase: 'api' }],
    ['apiBase', { apiBase: '/api/' }],
    ['apiBase', { apiBase: 'ftp://x' }],
    ['title', { title: '' }],
    ['title', { title: 'x'.repeat(101) }],
  ] as const)('refuses a bad %s at registration, naming it: %j', async (option, options) => {
    app = Fastify({ logger: false });
    await expect(app.register(dashboard, options as DashboardOptions).ready()).rejects.toSatisfy(
      (e: unknown) =>
        e instanceof InvalidOptionError &&
        e.code === 'CRAFT_DASHBOARD_INVALID_OPTION' &&
        e.option === option &&
        e.message.includes(`"${option}"`),
    );
  });
});
