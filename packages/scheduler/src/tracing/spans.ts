// The engine's spans (spec section 12): one per pass, one per claim of a due schedule, one per run attempt, with the
// handler called inside the attempt's span so the spans it makes (HTTP clients, databases) nest under it. Attribute
// names are `craft.*`. Everything here is a plain call when `@opentelemetry/api` is absent (see otel.ts).
import type { JobRun } from '../model.js';
import type { AttemptOutcomeName } from '../types.js';
import { otel, TRACER_NAME } from './otel.js';

type Attributes = Record<string, string | number | boolean>;

function tracer() {
  const api = otel();
  return api ? api.trace.getTracer(TRACER_NAME) : null;
}

/** The span attributes of a run: schedule, slot, trigger, run id, job type. */
export function runAttributes(run: JobRun): Attributes {
  const a: Attributes = {
    'craft.run_id': run.id,
    'craft.job_type': run.jobType,
    'craft.trigger': run.trigger,
  };
  if (run.jobName !== null) a['craft.schedule'] = run.jobName;
  if (run.slot) a['craft.slot'] = run.slot.toISOString();
  return a;
}

/**
 * Runs `fn` inside a new active span `name`; `finish` turns its result into attributes set before the span ends.
 * A throw records the exception and sets the span's status to error (and is rethrown).
 */
export async function inSpan<T>(
  name: string,
  attributes: Attributes,
  fn: () => Promise<T>,
  finish?: (result: T) => Attributes,
): Promise<T> {
  const t = tracer();
  const api = otel();
  if (!t || !api) return fn();
  return t.startActiveSpan(name, { attributes }, async (span) => {
    try {
      const result = await fn();
      if (finish) span.setAttributes(finish(result));
      return result;
    } catch (error) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({
        code: api.SpanStatusCode.ERROR,
        message: error instanceof Error ? error.message : String(error),
      });
      span.setAttribute('craft.outcome', 'error');
      throw error;
    } finally {
      span.end();
    }
  });
}

/** The span of one run attempt: `run(fn)` calls the handler inside it; `end` records the outcome and ends it. */
export interface AttemptSpan {
  run<T>(fn: () => T): T;
  end(outcome: AttemptOutcomeName, error?: unknown): void;
}

const NO_SPAN: AttemptSpan = { run: (fn) => fn(), end: () => {} };

/**
 * Starts the span `craft.run.attempt` of `run`'s attempt `attempt` (a child of the active span: the claim, the
 * recovery pass, or the request that ran it now). `lagMs`: the run's trigger lag (first start minus due instant).
 * The span ends at the attempt's outcome, not when an aborted handler finally settles.
 */
export function startAttemptSpan(run: JobRun, attempt: number, lagMs: number | null): AttemptSpan {
  const t = tracer();
  const api = otel();
  if (!t || !api) return NO_SPAN;
  const attributes: Attributes = { ...runAttributes(run), 'craft.attempt': attempt };
  if (lagMs !== null) attributes['craft.lag_ms'] = lagMs;
  const span = t.startSpan(`craft.run.attempt`, { attributes });
  const active = api.trace.setSpan(api.context.active(), span);
  let ended = false;
  return {
    run: (fn) => api.context.with(active, fn),
    end: (outcome, error) => {
      if (ended) return;
      ended = true;
      span.setAttribute('craft.outcome', outcome);
      if (outcome !== 'succeeded') {
        if (error !== undefined) span.recordException(error instanceof Error ? error : String(error));
        span.setStatus({ code: api.SpanStatusCode.ERROR, message: outcome });
      }
      span.end();
    },
  };
}

/**
 * The W3C `traceparent` header of the active span (`00-<trace id>-<span id>-<flags>`), or null when there is no
 * valid active span (no OpenTelemetry, no SDK registered, or no span).
 */
export function activeTraceparent(): { traceparent: string; tracestate: string | null } | null {
  const api = otel();
  const span = api?.trace.getActiveSpan();
  if (!api || !span) return null;
  const sc = span.spanContext();
  if (!api.trace.isSpanContextValid(sc)) return null;
  const flags = (sc.traceFlags & 0xff).toString(16).padStart(2, '0');
  const state = sc.traceState?.serialize() ?? '';
  return { traceparent: `00-${sc.traceId}-${sc.spanId}-${flags}`, tracestate: state === '' ? null : state };
}
