import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { RateLimitedError } from '../errors.js';
import { type TokenClaims, verifiedClaims } from './auth.js';

/** Options of {@link rateLimitPlugin}. */
export interface RateLimitPluginOptions {
  /** Requests per client and window (`RATE_LIMIT_MAX`); 0 turns the limit off. @default 600 */
  max: number;
  /** The window, in seconds (`RATE_LIMIT_WINDOW_SECONDS`). @default 60 */
  windowSeconds: number;
}

/** Routes never limited: probes, scrapers and the docs (by route pattern). */
const EXEMPT = /^\/(health|ready|metrics|docs)(\/|$)/;

/**
 * Rate limits per client with `@fastify/rate-limit`, in `onRequest` BEFORE authentication, so a limited client's
 * request is refused before its body is read and changes nothing. The client is the token's `sub` (a verified
 * token; tokens without `sub` and requests without a valid token count by IP address, so a flood of bad tokens is
 * limited too). Every limited answer carries the IETF httpapi draft's `RateLimit-Limit`, `RateLimit-Remaining` and
 * `RateLimit-Reset` (seconds) headers; a refused one is 429 `CRAFT_API_RATE_LIMITED` with `Retry-After`.
 * `/health`, `/ready`, `/metrics` and `/docs` are exempt. Counters live in each process (N replicas: N × the
 * limit per client).
 */
async function rateLimit(app: FastifyInstance, options: RateLimitPluginOptions): Promise<void> {
  if (options.max <= 0) return;
  await app.register(fastifyRateLimit, {
    global: false,
    enableDraftSpec: true,
    max: options.max,
    timeWindow: options.windowSeconds * 1000,
    keyGenerator: (request: FastifyRequest) => {
      const claims: TokenClaims | null = verifiedClaims(request);
      return typeof claims?.sub === 'string' ? `sub:${claims.sub}` : `ip:${request.ip}`;
    },
    errorResponseBuilder: (_request, context) =>
      new RateLimitedError(options.max, options.windowSeconds, Math.max(1, Math.ceil(context.ttl / 1000))),
  });
  const limit = app.rateLimit();
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const route = request.routeOptions.url;
    if (route !== undefined && EXEMPT.test(route)) return;
    await limit.call(app, request, reply);
  });
}

/** The rate-limit plugin; register it before the auth plugin so its hook runs first. */
export const rateLimitPlugin = fp(rateLimit, { name: '@craft/api-rate-limit', fastify: '5.x' });
