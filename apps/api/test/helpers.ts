// Shared fixtures of the route tests: an app on the in-memory store with a fake clock, and token minting.

import { defineJob, FakeClock, type JobDefinition, MemoryLock, MemoryStore } from '@craft/scheduler';
import { createSigner } from 'fast-jwt';
import Type from 'typebox';
import { type ApiConfig, type BuildAppOptions, buildApp, type CraftApp } from '../src/index.js';

export const SECRET = 'test-secret-0123456789abcdef0123456789abcdef';
export const START = Date.parse('2027-03-01T10:00:00.000Z');
export const ALL = 'jobs:read jobs:write jobs:run';

/** Mints an HS256 token with `scope` (space-separated; null: no scope claim) signed by `secret`. */
export function token(
  scope: string | null = ALL,
  options: { secret?: string; expiresInMs?: number; claims?: Record<string, unknown>; now?: number } = {},
): string {
  const sign = createSigner({
    key: options.secret ?? SECRET,
    algorithm: 'HS256',
    ...(options.expiresInMs !== undefined ? { expiresIn: options.expiresInMs } : {}),
    ...(options.now !== undefined ? { clockTimestamp: options.now } : {}),
  });
  return sign({ sub: 'tester', ...(scope === null ? {} : { scope }), ...options.claims });
}

export const bearer = (t: string = token()) => ({ authorization: `Bearer ${t}` });

/** Job types the tests use besides the built-ins. */
export function testJobs(log: string[] = []): JobDefinition[] {
  return [
    defineJob({
      type: 'echo',
      description: 'Returns its parameters',
      maxAttempts: 1,
      parameters: Type.Object(
        { message: Type.String({ minLength: 1 }), times: Type.Optional(Type.Integer({ minimum: 1 })) },
        { additionalProperties: false },
      ),
      handler: async (params, ctx) => {
        log.push(`${ctx.jobName ?? ctx.jobType}:${params.message}`);
        return { echoed: params.message };
      },
    }) as unknown as JobDefinition,
    defineJob({
      type: 'fail',
      maxAttempts: 1,
      handler: async () => {
        throw new Error('boom');
      },
    }) as unknown as JobDefinition,
    defineJob({
      type: 'noop',
      maxAttempts: 1,
      handler: async (_params, ctx) => {
        log.push(`noop:${ctx.jobName ?? '-'}`);
        return null;
      },
    }) as unknown as JobDefinition,
  ];
}

export interface TestApp {
  app: CraftApp;
  clock: FakeClock;
  store: MemoryStore;
  lock: MemoryLock;
  log: string[];
}

/** An app on the in-memory store with a fake clock at {@link START}; closed by the caller. */
export async function makeApp(
  options: { config?: Partial<ApiConfig> } & Omit<BuildAppOptions, 'config'> = {},
): Promise<TestApp> {
  const clock = new FakeClock(START);
  const store = new MemoryStore({ clock });
  const lock = new MemoryLock({ clock });
  const log: string[] = [];
  const app = await buildApp({
    store,
    lock,
    clock,
    jobs: testJobs(log),
    logger: false,
    processMetrics: false,
    metricsGaugeCacheMs: 0,
    swaggerUi: false,
    replicaId: 'test-replica',
    ...options,
    config: {
      jwt: { kind: 'secret', secret: SECRET, generated: false },
      timezone: 'Europe/Stockholm',
      // Route tests send hundreds of requests a minute; the rate limit has its own tests.
      rateLimitMax: 0,
      ...options.config,
    },
  });
  return { app, clock, store, lock, log };
}

/** A schedule body with the required fields. */
export function scheduleBody(jobName: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { job_name: jobName, cron_expression: '0 3 * * *', job_type: 'noop', ...extra };
}

/** A job type (`hang`, default timeout 300 s, 1 attempt) whose handler only ends when its signal aborts. */
export function hangJob(): JobDefinition {
  return defineJob({
    type: 'hang',
    maxAttempts: 1,
    handler: (_params, { signal }) =>
      new Promise((_resolve, reject) => {
        signal.addEventListener('abort', () => reject(signal.reason), { once: true });
      }),
  }) as unknown as JobDefinition;
}

/**
 * Whether `promise` has settled after the continuations queued so far ran (for asserting that a waiting request
 * has, or has not yet, answered after the fake clock moved).
 */
export async function hasSettled(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  promise.then(
    () => {
      settled = true;
    },
    () => {
      settled = true;
    },
  );
  await new Promise((r) => setImmediate(r));
  return settled;
}

/** Moves the fake clock a minute at a time (retry backoffs, timeouts) until `promise` settles; at most 100 steps. */
export async function advanceUntilSettled<T>(clock: FakeClock, promise: Promise<T>): Promise<T> {
  for (let i = 0; i < 100 && !(await hasSettled(promise)); i++) await clock.advance(60_000);
  return promise;
}
