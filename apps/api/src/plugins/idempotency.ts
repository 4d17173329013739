import { createHash, randomUUID } from 'node:crypto';
import { canonicalJson, type IdempotencyOptions, type IdempotencyStore } from '@craft/scheduler';
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import fp from 'fastify-plugin';
import { Type } from 'typebox';
import { ApiError, IdempotencyInProgressError, IdempotencyKeyReusedError } from '../errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The route honours an `Idempotency-Key` header (POSTs that create or trigger something): a retry with the same
     * key and request is answered with the first answer, whichever replica gets it. Declare the header in the
     * route's schema with {@link IdempotencyKeyHeaders}, and pass {@link libraryIdempotency} to the library call
     * that creates or triggers, so the effect itself is exactly-once even if this process dies before answering.
     * @default false
     */
    idempotent?: boolean;
  }
  interface FastifyRequest {
    /** The idempotency key this request holds (reserved in the store), or null. */
    idempotency: HeldKey | null;
  }
}

/** The reservation a request holds. */
export interface HeldKey {
  /** `token:<sub>`: whose key it is. */
  readonly scope: string;
  /** The client's key. */
  readonly key: string;
  /** This request's reservation token. */
  readonly token: string;
  /** True when an earlier request with this key and body died or stalled and this one took its key over. */
  readonly takenOver: boolean;
  /** Renews the in-progress lease while the request runs. */
  renew: NodeJS.Timeout | undefined;
}

/** The header, lower-case (as Node gives it). */
export const IDEMPOTENCY_HEADER = 'idempotency-key';
/** The header a replayed answer carries. */
export const REPLAYED_HEADER = 'idempotent-replayed';
/** How long a key is kept (IETF httpapi idempotency-key draft; what Stripe keeps): 24 h. */
export const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;

/**
 * The `Idempotency-Key` request header of an idempotent route (OpenAPI and validation): 1–255 printable ASCII
 * characters, as a bare token or a quoted sf-string (`"8e03978e-…"`, the draft's form; the quotes are not part of
 * the key).
 */
export const IdempotencyKeyHeaders = Type.Object({
  [IDEMPOTENCY_HEADER]: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 255,
      // Printable ASCII without surrounding spaces; `""` (an empty quoted key) is not a key.
      pattern: '^(?!""$)[!-~](?:[ -~]{0,253}[!-~])?$',
      description:
        'Makes the request idempotent for 24 h: a retry with the same key and the same request (method, path, ' +
        'query, body) is answered with the first answer (same status and body, same run ids, header ' +
        'Idempotent-Replayed: true) and triggers nothing; the same key with another request is a 422; while the ' +
        'first is still running a retry waits a few seconds, then gets a 409 with Retry-After. Keys belong to the ' +
        "token's subject (sub). A quoted value (the IETF draft's sf-string) is unquoted",
      examples: ['"8e03978e-40d5-43e8-bc93-6894a57f9324"'],
    }),
  ),
});

/** Options of {@link idempotencyPlugin}. */
export interface IdempotencyPluginOptions {
  /** Where keys live (the storage's; every replica must share it). */
  store: IdempotencyStore;
  /** How long a key is kept. @default 86400000 (24 h) */
  ttlMs?: number;
  /** Lease of an in-progress key; renewed every third of it while the request runs. @default 30000 */
  leaseMs?: number;
  /** How long a retry waits for an in-progress first request before its 409. @default 5000 */
  waitMs?: number;
  /** Largest answer body stored for replay; a larger one is not stored (a retry runs again). @default 1048576 */
  maxStoredBodyBytes?: number;
}

/** Answers a retry may NOT replay: the first request changed nothing and a later one may succeed. */
const TRANSIENT_CODES = new Set(['CRAFT_SCHEDULER_JOB_LOCKED']);
/** Headers stored and replayed with the body. */
const REPLAYED_HEADERS = ['content-type', 'location', 'etag', REPLAYED_HEADER];

/** The key a request carries, unquoted; undefined without the header. */
function keyOf(request: FastifyRequest): string | undefined {
  const raw = request.headers[IDEMPOTENCY_HEADER];
  if (raw === undefined) return undefined;
  const value = (Array.isArray(raw) ? raw.join(',') : raw).trim();
  const quoted = /^"((?:[^"\\]|\\.)*)"$/.exec(value);
  const key = quoted ? (quoted[1] as string).replace(/\\(.)/g, '$1') : value;
  if (key === '') {
    throw new ApiError(
      'CRAFT_API_VALIDATION',
      'Request header: "idempotency-key" is empty; send 1-255 characters',
      {
        field: IDEMPOTENCY_HEADER,
      },
    );
  }
  return key;
}

/** The library options of an idempotent request: its key and scope, or nothing. */
export function libraryIdempotency(request: FastifyRequest): IdempotencyOptions {
  const held = request.idempotency;
  return held ? { idempotencyKey: held.key, idempotencyScope: held.scope } : {};
}

/** The scope of a request's keys: the token's subject. */
export function scopeOf(request: FastifyRequest): string {
  return `token:${request.principal?.subject ?? ''}`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * `Idempotency-Key` for the routes that opt in (`config.idempotent`), after the IETF httpapi draft: the key is
 * reserved atomically in the store with the request's fingerprint (method, route, path parameters, query, body)
 * before the route runs; the answer (status, `Content-Type`/`Location`/`ETag`, body) is stored when it is sent,
 * 4xx included; a 5xx (or a transient 409 such as a held job lock) releases the key so a retry runs again. A retry
 * replays the stored answer with `Idempotent-Replayed: true`; a retry while the first still runs waits up to
 * `waitMs` for it, then gets 409 `CRAFT_API_IDEMPOTENCY_IN_PROGRESS` with `Retry-After`; the key with another
 * request is 422 `CRAFT_API_IDEMPOTENCY_KEY_REUSED`. A reservation whose process died lapses after `leaseMs`, and
 * the next retry takes it over (the route's library call then finds what the dead request did).
 */
async function idempotency(app: FastifyInstance, options: IdempotencyPluginOptions): Promise<void> {
  const store = options.store;
  const ttlMs = options.ttlMs ?? IDEMPOTENCY_TTL_MS;
  const leaseMs = options.leaseMs ?? 30_000;
  const waitMs = options.waitMs ?? 5000;
  const maxBody = options.maxStoredBodyBytes ?? 1_048_576;
  const retryAfterSeconds = Math.max(1, Math.ceil(Math.min(waitMs, 2000) / 1000));

  app.decorateRequest('idempotency', null);

  const preValidation = async (request: FastifyRequest, reply: FastifyReply) => {
    if (!request.routeOptions.config?.idempotent) return;
    const key = keyOf(request);
    if (key === undefined) return;
    const scope = scopeOf(request);
    // What the client sent, before validation fills defaults: a retry sends the same.
    const fingerprint = createHash('sha256')
      .update(
        canonicalJson({
          method: request.method,
          route: request.routeOptions.url,
          params: request.params ?? {},
          query: request.query ?? {},
          body: request.body ?? null,
        }),
      )
      .digest('hex');
    const token = randomUUID();
    const deadline = Date.now() + waitMs;
    for (let pause = 50; ; pause = Math.min(pause * 2, 500)) {
      const r = await store.reserveIdempotencyKey({ scope, key, fingerprint, token, ttlMs, leaseMs });
      if (r.outcome === 'reserved') {
        const held: HeldKey = { scope, key, token, takenOver: r.takenOver, renew: undefined };
        held.renew = setInterval(
          () => {
            store.renewIdempotencyKey(scope, key, token, leaseMs).then(
              (ok) => {
                if (!ok) request.log.warn({ key }, 'idempotency key lease lost while the request ran');
              },
              (error: unknown) =>
                request.log.warn({ err: error, key }, 'idempotency key lease renewal failed'),
            );
          },
          Math.max(1, Math.floor(leaseMs / 3)),
        );
        held.renew.unref();
        request.idempotency = held;
        return;
      }
      const found = r.record;
      if (found.fingerprint !== fingerprint) throw new IdempotencyKeyReusedError();
      if (found.state === 'completed' && found.response) {
        reply.code(found.response.status);
        for (const [name, value] of Object.entries(found.response.headers)) reply.header(name, value);
        reply.header(REPLAYED_HEADER, 'true');
        return reply.send(found.response.body);
      }
      if (Date.now() + pause > deadline) {
        reply.header('retry-after', String(retryAfterSeconds));
        throw new IdempotencyInProgressError(retryAfterSeconds);
      }
      await sleep(pause);
    }
  };

  const onSend = async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const held = request.idempotency;
    if (!held) return payload;
    request.idempotency = null;
    clearInterval(held.renew);
    const status = reply.statusCode;
    const body =
      typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : null;
    let keep = status < 500 && body !== null && Buffer.byteLength(body) <= maxBody;
    if (keep && status === 409 && body !== null) {
      try {
        keep = !TRANSIENT_CODES.has((JSON.parse(body) as { code?: string }).code ?? '');
      } catch {
        // Not our error body: keep it.
      }
    }
    try {
      if (keep && body !== null) {
        const headers: Record<string, string> = {};
        for (const name of REPLAYED_HEADERS) {
          const value = reply.getHeader(name);
          if (value !== undefined) headers[name] = String(value);
        }
        const stored = await store.completeIdempotencyKey(held.scope, held.key, held.token, {
          status,
          headers,
          body,
        });
        if (!stored) request.log.warn({ key: held.key }, 'idempotency key was taken over; answer not stored');
      } else {
        await store.releaseIdempotencyKey(held.scope, held.key, held.token);
      }
    } catch (error) {
      // The answer still goes out; the reservation lapses after its lease and a retry runs again.
      request.log.error({ err: error, key: held.key }, 'could not store the idempotent answer');
    }
    return payload;
  };

  // Only the routes that take an Idempotency-Key carry these hooks (issue "Scale": every other request, a GET above
  // all, skipped them only after three async hook calls). On those routes a request without a key passes each hook
  // synchronously (callback style); only a keyed request pays for the asynchronous work.
  const preValidationHook = (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) =>
    request.headers[IDEMPOTENCY_HEADER] === undefined ? done() : preValidation(request, reply);
  const onSendHook = (request: FastifyRequest, reply: FastifyReply, payload: unknown, done: OnSendDone) =>
    request.idempotency === null ? done(null, payload) : onSend(request, reply, payload);
  const onResponseHook = (request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction) => {
    if (request.idempotency) clearInterval(request.idempotency.renew);
    done();
  };
  app.addHook('onRoute', (route) => {
    if (!route.config?.idempotent) return;
    route.preValidation = [...hookList(route.preValidation), preValidationHook];
    route.onSend = [...hookList(route.onSend), onSendHook] as typeof route.onSend;
    route.onResponse = [...hookList(route.onResponse), onResponseHook];
  });
}

/** The callback of an `onSend` hook: an error, or the payload to send. */
type OnSendDone = (error: Error | null, payload?: unknown) => void;

/** A route option's hooks as a list (Fastify takes one function or an array). */
function hookList<T>(hooks: T | T[] | undefined): T[] {
  return hooks === undefined ? [] : Array.isArray(hooks) ? hooks : [hooks];
}

/** The idempotency plugin (wrapped with `fastify-plugin` so its hooks cover every route). */
export const idempotencyPlugin = fp(idempotency, { name: '@craft/api-idempotency', fastify: '5.x' });
