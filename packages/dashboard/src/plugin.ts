import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifySchema } from 'fastify';
import fp from 'fastify-plugin';
import { type Asset, asset, loadAssets, negotiate } from './assets.js';
import { InvalidOptionError } from './errors.js';
import { IMMUTABLE, REVALIDATE, securityHeaders } from './headers.js';

/** Options of {@link dashboard}. */
export interface DashboardOptions {
  /**
   * The URL path the page is served under (no trailing slash). `GET <prefix>` redirects to `<prefix>/`; every
   * path below it that is not a file is the page (client routes such as `<prefix>/schedules/nightly`).
   * @default '/ui'
   */
  prefix?: string;
  /**
   * Where the page sends its API requests (`<apiBase>/jobs/schedules`, …): a path on the same origin (`''` for
   * the origin's root, `/scheduler` when the routes are registered under that prefix), or an absolute http(s)
   * URL of an API on another origin (its origin is then allowed by `connect-src`, and that API must answer CORS).
   * @default ''
   */
  apiBase?: string;
  /** The page's title (browser tab and header). @default 'Craft Scheduler' */
  title?: string;
  /**
   * Extra route config merged into each of the plugin's routes, for an app whose hooks read route config. The
   * `@craft/api` service passes `{ auth: 'public' }`: the page and its files need no token (the page signs in
   * itself, with a bearer token it sends to the API).
   * @default {}
   */
  routeConfig?: Record<string, unknown>;
}

/** The options after defaults and validation. */
export interface ResolvedDashboardOptions {
  prefix: string;
  apiBase: string;
  title: string;
  apiOrigin: string | undefined;
}

/** Default of {@link DashboardOptions.prefix}. */
export const DEFAULT_PREFIX = '/ui';
/** Default of {@link DashboardOptions.title}. */
export const DEFAULT_TITLE = 'Craft Scheduler';

/**
 * Where the build puts the page: `dist/app`, next to the built `dist/plugin.js` (the package as installed); from
 * the sources (`src/plugin.ts` under the repository's tests) the same `dist/app`.
 */
export const APP_DIRECTORY =
  [new URL('./app', import.meta.url), new URL('../dist/app', import.meta.url)]
    .map((u) => fileURLToPath(u))
    .find((dir) => existsSync(join(dir, 'index.html'))) ?? fileURLToPath(new URL('./app', import.meta.url));

/** Validates the options and applies the defaults; throws {@link InvalidOptionError}. */
export function resolveOptions(options: DashboardOptions): ResolvedDashboardOptions {
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  if (typeof prefix !== 'string' || !/^(\/[A-Za-z0-9._~!$&'()*+,;=:@%-]+)+$/.test(prefix)) {
    throw new InvalidOptionError(
      'prefix',
      prefix,
      'a URL path below the root such as "/ui" or "/admin/jobs" (starting with "/", no trailing "/", no query)',
    );
  }
  const apiBase = options.apiBase ?? '';
  let apiOrigin: string | undefined;
  if (typeof apiBase !== 'string' || apiBase.endsWith('/') || /[?#\s]/.test(apiBase)) {
    throw new InvalidOptionError(
      'apiBase',
      apiBase,
      'a path ("" or "/api") or an http(s) URL, without trailing "/"',
    );
  }
  if (/^https?:\/\//i.test(apiBase)) {
    try {
      apiOrigin = new URL(apiBase).origin;
    } catch {
      throw new InvalidOptionError('apiBase', apiBase, 'a valid http(s) URL');
    }
  } else if (apiBase !== '' && !apiBase.startsWith('/')) {
    throw new InvalidOptionError('apiBase', apiBase, 'a path starting with "/" (or "") or an http(s) URL');
  }
  const title = options.title ?? DEFAULT_TITLE;
  if (typeof title !== 'string' || title.trim() === '' || title.length > 100) {
    throw new InvalidOptionError('title', title, 'a non-empty string of at most 100 characters');
  }
  return { prefix, apiBase, title, apiOrigin };
}

const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );

/**
 * The page's index.html with the options filled in: a `<base>` so relative asset URLs work from every client
 * route, the title, and the settings the app reads from a `<meta>` element (no inline script: the CSP forbids it).
 */
export function renderIndex(template: string, o: ResolvedDashboardOptions): string {
  const settings = JSON.stringify({ prefix: o.prefix, apiBase: o.apiBase, title: o.title });
  const head =
    `<base href="${escapeHtml(`${o.prefix}/`)}">` +
    `<meta name="craft-dashboard" content="${escapeHtml(settings)}">`;
  return template
    .replace(/<head>/i, `<head>${head}`)
    .replace(/<title>[^<]*<\/title>/i, `<title>${escapeHtml(o.title)}</title>`);
}

async function plugin(app: FastifyInstance, options: DashboardOptions): Promise<void> {
  const o = resolveOptions(options);
  const files = loadAssets(APP_DIRECTORY);
  const template = files.get('index.html') as Asset;
  const index = asset('index.html', Buffer.from(renderIndex(template.body.toString('utf8'), o)));
  const headers = securityHeaders(o.apiOrigin);
  const config = { ...options.routeConfig };
  // Left out of an OpenAPI document (@fastify/swagger reads `hide`): these are files, not API operations.
  const schema = { hide: true } as FastifySchema;

  const send = (request: FastifyRequest, reply: FastifyReply, file: Asset, cacheControl: string) => {
    reply
      .headers(headers)
      .header('cache-control', cacheControl)
      .header('etag', file.etag)
      .header('vary', 'accept-encoding');
    reply.type(file.type);
    if (request.headers['if-none-match'] === file.etag) return reply.code(304).send();
    const { body, encoding } = negotiate(file, request.headers['accept-encoding']);
    if (encoding) reply.header('content-encoding', encoding);
    return reply.send(body);
  };

  await app.register(
    async (scope) => {
      scope.get('/', { config, schema }, (request, reply) => {
        // `<prefix>` (no slash) → `<prefix>/`, so the page's URLs resolve below it; the browser keeps the
        // fragment (`#token=…`) across the redirect.
        const path = request.url.split('?')[0] ?? '';
        if (!path.endsWith('/')) {
          const query = request.url.slice(path.length);
          return reply.headers(headers).redirect(`${o.prefix}/${query}`, 301);
        }
        return send(request, reply, index, REVALIDATE);
      });
      scope.get('/*', { config, schema }, (request, reply) => {
        const rest = (request.params as { '*': string })['*'];
        const file = rest === 'index.html' ? index : files.get(rest);
        if (file) return send(request, reply, file, rest.startsWith('assets/') ? IMMUTABLE : REVALIDATE);
        // A path whose last segment has a dot asks for a file that does not exist: a real 404 (a stale
        // asset URL must not be answered with the page). Anything else is a client route of the page.
        const last = rest.split('/').pop() ?? '';
        if (rest.startsWith('assets/') || last.includes('.')) {
          return reply
            .headers(headers)
            .code(404)
            .type('text/plain; charset=utf-8')
            .header('cache-control', 'no-store')
            .send(`Not found: ${o.prefix}/${rest}\n`);
        }
        return send(request, reply, index, REVALIDATE);
      });
    },
    { prefix: o.prefix },
  );
}

/**
 * The dashboard as a Fastify plugin: serves the prebuilt page under `prefix` (default `/ui`). The page talks to
 * the Craft Scheduler REST API (`apiBase`) with the bearer token its user signs in with; the plugin itself
 * serves files only and needs no token. Register the API's routes in the same app (or point `apiBase` at them).
 */
export const dashboard = fp(plugin, { name: '@craft/dashboard', fastify: '5.x' });
