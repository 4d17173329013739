import { createHash, timingSafeEqual } from 'node:crypto';
import fastifyJwt from '@fastify/jwt';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { JwtVerification } from '../config.js';
import { AuthExpiredError, AuthInvalidError, AuthMissingError, ForbiddenError } from '../errors.js';

/** The scopes of spec section 7. */
export const SCOPES = ['jobs:read', 'jobs:write', 'jobs:run'] as const;

/** A scope: `jobs:read` (GETs), `jobs:write` (schedule changes), `jobs:run` (runs and cycles). */
export type Scope = (typeof SCOPES)[number];

/**
 * What a route requires, set as `config: { auth }` on every route:
 * `'public'` (no token: health, readiness, docs), a {@link Scope}, or a scope that a static metrics token may
 * also satisfy.
 */
export type AuthRequirement = 'public' | Scope | { scope: Scope; allowMetricsToken: true };

/** Who made an authenticated request. */
export interface Principal {
  /** The token's `sub` claim (or `metrics-token` for the static metrics token). */
  subject: string | null;
  /** The scopes the token grants. */
  scopes: string[];
}

/** The claims the API reads from a token (others are ignored). */
export interface TokenClaims {
  /** Who the token is for. */
  sub?: string;
  /** Space-separated scopes (spec section 7), or an array of scopes. */
  scope?: string | string[];
  /** Alternative name some identity providers use for the scopes. */
  scp?: string | string[];
  [claim: string]: unknown;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** What the route requires; every route must set it (see {@link AuthRequirement}). */
    auth?: AuthRequirement;
  }
  interface FastifyRequest {
    /** The authenticated caller, or null on public routes. */
    principal: Principal | null;
  }
}

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: TokenClaims;
    user: TokenClaims;
  }
}

/** The messages of auth failures; each may be overridden through {@link AuthPluginOptions.messages}. */
export interface AuthMessages {
  /** No `Authorization` header. */
  missing: string;
  /** The header is not `Bearer <token>`. */
  malformedHeader: string;
  /** The token expired. */
  expired: string;
  /** Any other verification failure (the reason is appended). */
  invalid: string;
  /** The token lacks the route's scope. */
  forbidden: (scope: string, granted: readonly string[]) => string;
}

/** Default {@link AuthMessages}. */
export const DEFAULT_AUTH_MESSAGES: AuthMessages = {
  missing:
    'Authorization: no bearer token; send "Authorization: Bearer <token>" (craft-jobs token mints one)',
  malformedHeader: 'Authorization: the header must be "Bearer <token>" with a JWT',
  expired: 'Authorization: the token has expired; get a new one',
  invalid: 'Authorization: the token is invalid',
  forbidden: (scope, granted) =>
    `Authorization: this needs the scope "${scope}"; the token grants ${
      granted.length ? granted.map((s) => `"${s}"`).join(', ') : 'no scopes'
    }`,
};

/** Options of {@link authPlugin}. */
export interface AuthPluginOptions {
  /** How tokens are verified (HS256 secret, or a PEM public key and its algorithm). */
  verification: JwtVerification;
  /** Required `iss` claim. @default undefined (not checked) */
  issuer?: string | undefined;
  /** Required `aud` claim. @default undefined (not checked) */
  audience?: string | undefined;
  /** A static token that may read routes marked `allowMetricsToken`. @default undefined */
  metricsToken?: string | undefined;
  /** Overrides of the failure messages. @default {@link DEFAULT_AUTH_MESSAGES} */
  messages?: Partial<AuthMessages>;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * A token that verified: its claims and what the API derives from them, computed once per token (issue "Scale":
 * every request of a client sends the same token). Frozen: requests share it.
 */
interface VerifiedToken {
  claims: TokenClaims;
  principal: Principal;
  /** Until when (ms since the epoch) the entry answers for the token. */
  until: number;
}
type Verification = VerifiedToken | { error: unknown };

declare module 'fastify' {
  interface FastifyRequest {
    /** This request's token verification, shared by the rate limiter (which runs first) and authentication. */
    tokenVerification: Verification | null;
  }
}

/** The bearer token of a request, or undefined when the header is missing or not `Bearer <token>`. */
function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header === undefined) return undefined;
  return /^Bearer +([^\s]+) *$/i.exec(header)?.[1];
}

// Tokens that verified, by their text, per app (issue "Scale": fast-jwt's own cache hashes every token with SHA-256
// before looking it up, the larger part of the API's auth cost per request). Only successes are kept, each until the
// token's `exp` (or 10 minutes, fast-jwt's cache TTL, when it has none), at most 1,000 per app, the oldest dropped
// first. As with fast-jwt's cache, a token keeps verifying until its entry lapses (the secret or key is read once,
// at start-up, so nothing else could change the answer).
const MAX_CACHED_TOKENS = 1000;
const CACHED_TOKEN_TTL_MS = 600_000;
const verifiedTokens = new WeakMap<object, Map<string, VerifiedToken>>();

function verifyToken(request: FastifyRequest, token: string): Verification {
  const jwt = request.server.jwt;
  let cache = verifiedTokens.get(jwt);
  if (!cache) {
    cache = new Map();
    verifiedTokens.set(jwt, cache);
  }
  const now = Date.now();
  const hit = cache.get(token);
  // Valid while now < exp (fast-jwt's own rule, no clock tolerance configured).
  if (hit && hit.until > now) return hit;
  if (hit) cache.delete(token);
  try {
    const claims = jwt.verify<TokenClaims>(token);
    if (typeof claims !== 'object' || claims === null) return { error: new Error('not a JSON object') };
    const exp = typeof claims['exp'] === 'number' ? claims['exp'] * 1000 : Number.POSITIVE_INFINITY;
    const principal = Object.freeze({
      subject: typeof claims.sub === 'string' ? claims.sub : null,
      scopes: Object.freeze(scopesOf(claims)) as string[],
    });
    const verified = Object.freeze({ claims, principal, until: Math.min(exp, now + CACHED_TOKEN_TTL_MS) });
    if (cache.size >= MAX_CACHED_TOKENS) cache.delete(cache.keys().next().value as string);
    cache.set(token, verified);
    return verified;
  } catch (error) {
    return { error };
  }
}

function verify(request: FastifyRequest, token: string): Verification {
  let v = request.tokenVerification;
  // Undefined too: the rate limiter may run in an app without this plugin's decoration.
  if (!v) {
    v = verifyToken(request, token);
    request.tokenVerification = v;
  }
  return v;
}

/**
 * The claims of the request's bearer JWT when it verifies (signature, algorithm, expiry, issuer, audience), else
 * null. Cached per request. For the rate limiter, which keys clients by `sub` before authentication runs.
 */
export function verifiedClaims(request: FastifyRequest): TokenClaims | null {
  const token = bearerToken(request);
  if (token === undefined) return null;
  const v = verify(request, token);
  return 'claims' in v ? v.claims : null;
}

/** The scopes a token grants, from `scope` (space-separated or an array) and `scp`. */
export function scopesOf(claims: TokenClaims): string[] {
  const out = new Set<string>();
  for (const claim of [claims.scope, claims.scp]) {
    const list = typeof claim === 'string' ? claim.split(/\s+/) : Array.isArray(claim) ? claim : [];
    for (const s of list) if (typeof s === 'string' && s !== '') out.add(s);
  }
  return [...out];
}

/**
 * Bearer-JWT authentication and scope checks on every route (via `@fastify/jwt`). A route without
 * `config.auth` is refused at startup, so no route is public by accident. Failures change nothing: they are
 * answered in `onRequest`, before the body is read.
 */
async function auth(app: FastifyInstance, options: AuthPluginOptions): Promise<void> {
  const messages = { ...DEFAULT_AUTH_MESSAGES, ...options.messages };
  const v = options.verification;
  await app.register(fastifyJwt, {
    secret: v.kind === 'secret' ? v.secret : { public: v.publicKey },
    verify: {
      algorithms: [v.kind === 'secret' ? 'HS256' : v.algorithm],
      ...(options.issuer ? { allowedIss: options.issuer } : {}),
      ...(options.audience ? { allowedAud: options.audience } : {}),
      // fast-jwt checks iss/aud only when present: a configured one must also be required.
      requiredClaims: [...(options.issuer ? ['iss'] : []), ...(options.audience ? ['aud'] : [])],
      cache: 1000,
    },
  });
  const metricsDigest = options.metricsToken ? digest(options.metricsToken) : null;

  app.decorateRequest('principal', null);
  app.decorateRequest('tokenVerification', null);
  app.addHook('onRoute', (route) => {
    // The OpenAPI document and Swagger UI are public.
    if (route.url.startsWith('/docs')) route.config = { ...route.config, auth: 'public' };
    const need = route.config?.auth;
    if (need === undefined) {
      throw new Error(`auth: route ${String(route.method)} ${route.url} declares no config.auth`);
    }
    const scope = need === 'public' ? null : typeof need === 'string' ? need : need.scope;
    // OpenAPI 3.1 lets a bearer security requirement list roles: the scope the route needs.
    route.schema = { ...route.schema, security: scope ? [{ bearerAuth: [scope] }] : [] };
  });

  const authenticate = (request: FastifyRequest, metricsAllowed: boolean): Principal => {
    const header = request.headers.authorization;
    if (header === undefined || header.trim() === '') throw new AuthMissingError(messages.missing);
    const token = bearerToken(request);
    if (token === undefined) throw new AuthInvalidError(messages.malformedHeader);
    if (metricsAllowed && metricsDigest && timingSafeEqual(digest(token), metricsDigest)) {
      return { subject: 'metrics-token', scopes: ['jobs:read'] };
    }
    const v = verify(request, token);
    if ('error' in v) {
      const error = v.error;
      const code = (error as { code?: string }).code;
      if (code === 'FAST_JWT_EXPIRED') throw new AuthExpiredError(messages.expired, error);
      const reason = (error as Error).message;
      throw new AuthInvalidError(`${messages.invalid}: ${reason}`, error);
    }
    return v.principal;
  };

  const check = (request: FastifyRequest): void => {
    const need = request.routeOptions.config?.auth;
    if (need === 'public') return;
    // Unknown routes (no config) still need a valid token, so they do not reveal which paths exist.
    const scope = need === undefined ? undefined : typeof need === 'string' ? need : need.scope;
    const principal = authenticate(request, typeof need === 'object' && need.allowMetricsToken);
    if (scope !== undefined && !principal.scopes.includes(scope)) {
      throw new ForbiddenError(messages.forbidden(scope, principal.scopes), scope, principal.scopes);
    }
    request.principal = principal;
  };
  // A callback hook, not an async one: the check is synchronous, and every request passes here.
  app.addHook('onRequest', (request, _reply, done) => {
    try {
      check(request);
    } catch (error) {
      return done(error as Error);
    }
    done();
  });
}

/** The auth plugin (wrapped with `fastify-plugin` so its hook covers every route of the app). */
export const authPlugin = fp(auth, { name: '@craft/api-auth', fastify: '5.x' });
