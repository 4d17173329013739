import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import fp from 'fastify-plugin';
import { RateLimitedError } from '../errors.js';
import { FixedWindowCounter } from '../rate-limit/fixed-window.js';
import { type TokenClaims, verifiedClaims } from './auth.js';

/** Options of {@link rateLimitPlugin}. */
export interface RateLimitPluginOptions {
  /** Requests per client and window (`RATE_LIMIT_MAX`); 0 turns the limit off. @default 600 */
  max: number;
  /** The window, in seconds (`RATE_LIMIT_WINDOW_SECONDS`). @default 60 */
  windowSeconds: number;
  /** How many clients' counters are kept (the oldest window is dropped first). @default 10000 */
  maxClients?: number;
}

/** Routes never limited: probes, scrapers and the docs (by route pattern). */
const EXEMPT = /^\/(health|ready|metrics|docs)(\/|$)/;

/** The client a request counts for: a verified token's `sub`, else the IP address. */
function clientOf(request: FastifyRequest): string {
  const claims: TokenClaims | null = verifiedClaims(request);
  return typeof claims?.sub === 'string' ? `sub:${claims.sub}` : `ip:${request.ip}`;
}

/**
 * Rate limits per client, in `onRequest` BEFORE authentication, so a limited client's request is refused before its
 * body is read and changes nothing. The client is the token's `sub` (a verified token; tokens without `sub` and
 * requests without a valid token count by IP address, so a flood of bad tokens is limited too). Fixed windows per
 * client ({@link FixedWindowCounter}). Every limited answer carries the IETF httpapi draft's `RateLimit-Limit`,
 * `RateLimit-Remaining` and `RateLimit-Reset` (seconds) headers; a refused one is 429 `CRAFT_API_RATE_LIMITED` with
 * `Retry-After`. `/health`, `/ready`, `/metrics` and `/docs` are exempt. Counters live in each process (N replicas:
 * N × the limit per client).
 */
async function rateLimit(app: FastifyInstance, options: RateLimitPluginOptions): Promise<void> {
  if (options.max <= 0) return;
  const max = options.max;
  const maxText = String(max);
  const counter = new FixedWindowCounter({
    windowMs: options.windowSeconds * 1000,
    ...(options.maxClients === undefined ? {} : { maxKeys: options.maxClients }),
  });
  // A callback hook, not an async one: the check is synchronous, and every request passes here.
  app.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
    const route = request.routeOptions.url;
    if (route !== undefined && EXEMPT.test(route)) return done();
    const { count, resetInMs } = counter.hit(clientOf(request));
    const resetSeconds = Math.max(1, Math.ceil(resetInMs / 1000));
    reply.header('ratelimit-limit', maxText);
    reply.header('ratelimit-remaining', Math.max(0, max - count));
    reply.header('ratelimit-reset', resetSeconds);
    if (count <= max) return done();
    reply.header('retry-after', resetSeconds);
    done(new RateLimitedError(max, options.windowSeconds, resetSeconds));
  });
}

/** The rate-limit plugin; register it before the auth plugin so its hook runs first. */
export const rateLimitPlugin = fp(rateLimit, { name: '@craft/api-rate-limit', fastify: '5.x' });
