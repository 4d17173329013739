import { type Static, Type } from 'typebox';
import { HttpJobError, LeaseExpiredError } from '../errors.js';
import { defineJob, type JobDefinition } from '../registry.js';
import { activeTraceparent } from '../tracing/spans.js';

/** Name of the built-in HTTP request job. */
export const HTTP_REQUEST_JOB = 'http_request';

/** Largest response body kept in a run's result, in characters. */
export const MAX_RESULT_BODY = 4096;

/** Parameters of the `http_request` job (JSON Schema; checked when a schedule is saved and when a run starts). */
export const HttpRequestParameters = Type.Object(
  {
    url: Type.String({ pattern: '^https?://[^\\s]+$', maxLength: 2048, description: 'http(s) URL to call' }),
    method: Type.Optional(
      Type.Enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'], {
        description: 'HTTP method (default POST)',
      }),
    ),
    headers: Type.Optional(
      Type.Record(Type.String(), Type.String(), { description: 'Request headers, e.g. authorization' }),
    ),
    body: Type.Optional(
      Type.Unknown({ description: 'Request body: a string is sent as is, anything else as JSON' }),
    ),
    expected_status: Type.Optional(
      Type.Union(
        [
          Type.Integer({ minimum: 100, maximum: 599 }),
          Type.Array(Type.Integer({ minimum: 100, maximum: 599 }), { minItems: 1 }),
        ],
        { description: 'Status (or list of statuses) that counts as success (default: any 2xx)' },
      ),
    ),
    timeout_seconds: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 3600, description: 'Per-request timeout in seconds (default 30)' }),
    ),
  },
  { additionalProperties: false },
);

/** The parameters of one `http_request` run. */
export type HttpRequestParams = Static<typeof HttpRequestParameters>;

/** The result stored on a successful run. */
export interface HttpRequestResult {
  /** The response status. */
  status: number;
  /** How long the request took, in ms. */
  duration_ms: number;
  /** The response body: parsed JSON when it was JSON, else text; cut at {@link MAX_RESULT_BODY} characters. */
  body: unknown;
}

/** Options of {@link httpRequestJob}. */
export interface HttpRequestJobOptions {
  /** The fetch implementation (tests pass one). @default globalThis.fetch */
  fetch?: typeof fetch;
}

/**
 * The built-in `http_request` job: calls a URL (method, headers, body, per-request timeout) so a schedule can
 * call a webhook without code. Fails the attempt (and retries per the schedule) on a network error, a timeout,
 * or a status other than `expected_status` (default any 2xx), with an {@link HttpJobError}. Honours the run's
 * AbortSignal. `builtinJobs()` includes `httpRequestJob()` (global fetch); register your own
 * `httpRequestJob({ fetch })` in the user registry to replace it (user job types are layered over built-ins).
 *
 * Every request carries `Idempotency-Key` (the run key: the same for every attempt and re-execution of the run),
 * `X-Craft-Schedule`, `X-Craft-Slot` (when the run has them), `X-Craft-Run-Id` and `X-Craft-Attempt`; it is not sent
 * once the run's lease is gone (checked right before sending).
 *
 * Security: it calls any URL the process can reach, so whoever may create schedules or runs (the API's
 * `jobs:write` scope, the CLI's database access) can make the service send requests inside your network (SSRF).
 */
export function httpRequestJob(options: HttpRequestJobOptions = {}): JobDefinition {
  const doFetch = options.fetch ?? globalThis.fetch;
  return defineJob({
    type: HTTP_REQUEST_JOB,
    description: 'Calls an http(s) URL (a webhook); fails on a network error, timeout or unexpected status',
    maxAttempts: 3,
    timeoutSeconds: 120,
    parameters: HttpRequestParameters,
    handler: async (params, ctx): Promise<HttpRequestResult> => {
      const method = params.method ?? 'POST';
      const timeoutMs = (params.timeout_seconds ?? 30) * 1000;
      const headers = new Headers(params.headers ?? {});
      let body: string | undefined;
      if (params.body !== undefined && method !== 'GET' && method !== 'HEAD') {
        if (typeof params.body === 'string') body = params.body;
        else {
          body = JSON.stringify(params.body);
          if (!headers.has('content-type')) headers.set('content-type', 'application/json');
        }
      }
      if (!headers.has('user-agent')) headers.set('user-agent', 'craft-scheduler (http_request job)');
      // Effectively once downstream (spec section 11): the run key is the same for every attempt and re-execution of
      // this run, so the receiver can apply the effect once. A key given in `headers` is kept.
      if (!headers.has('idempotency-key')) headers.set('idempotency-key', ctx.idempotencyKey);
      if (ctx.jobName !== null) headers.set('x-craft-schedule', ctx.jobName);
      if (ctx.scheduledAt !== null) headers.set('x-craft-slot', ctx.scheduledAt.toISOString());
      headers.set('x-craft-run-id', ctx.runId);
      headers.set('x-craft-attempt', String(ctx.attempt));
      // W3C trace context of the attempt's span (spec section 11), unless the parameters carry their own.
      const trace = activeTraceparent();
      if (trace && !headers.has('traceparent')) {
        headers.set('traceparent', trace.traceparent);
        if (trace.tracestate) headers.set('tracestate', trace.tracestate);
      }
      const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(timeoutMs)]);
      // Right before sending: never send once the lease is gone (the signal aborted, or this replica's local lease
      // deadline passed and the abort has not landed yet, e.g. in a process that was frozen past it).
      if (ctx.signal.aborted) throw ctx.signal.reason;
      if (ctx.leaseTimeLeftMs() <= 0) throw new LeaseExpiredError(`run ${ctx.runId}`);
      const started = Date.now();
      let response: Response;
      try {
        response = await doFetch(params.url, { method, headers, body, signal, redirect: 'follow' });
      } catch (error) {
        if (ctx.signal.aborted) throw ctx.signal.reason ?? error;
        const timedOut = (error as Error).name === 'TimeoutError';
        throw new HttpJobError(
          'CRAFT_API_HTTP_REQUEST_FAILED',
          timedOut
            ? `http_request: ${method} ${params.url} got no response within ${timeoutMs / 1000} s (timeout_seconds)`
            : `http_request: ${method} ${params.url} failed: ${(error as Error).message}`,
          { cause: error },
        );
      }
      const text = method === 'HEAD' ? '' : await readText(response, signal);
      const duration_ms = Date.now() - started;
      const expected = params.expected_status;
      const ok =
        expected === undefined
          ? response.status >= 200 && response.status < 300
          : (Array.isArray(expected) ? expected : [expected]).includes(response.status);
      if (!ok) {
        throw new HttpJobError(
          'CRAFT_API_HTTP_UNEXPECTED_STATUS',
          `http_request: ${method} ${params.url} answered ${response.status}, expected ${
            expected === undefined ? 'a 2xx status' : JSON.stringify(expected)
          }; body: ${text.slice(0, 200)}`,
          { status: response.status },
        );
      }
      return { status: response.status, duration_ms, body: parseBody(text, response.headers) };
    },
  }) as unknown as JobDefinition;
}

async function readText(response: Response, signal: AbortSignal): Promise<string> {
  try {
    const text = await response.text();
    return text.length > MAX_RESULT_BODY ? text.slice(0, MAX_RESULT_BODY) : text;
  } catch (error) {
    if (signal.aborted) throw signal.reason ?? error;
    return '';
  }
}

function parseBody(text: string, headers: Headers): unknown {
  if (text === '') return null;
  if ((headers.get('content-type') ?? '').includes('json') && text.length < MAX_RESULT_BODY) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}
