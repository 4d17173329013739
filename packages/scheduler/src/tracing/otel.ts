// OpenTelemetry, optional (spec section 12): `@opentelemetry/api` is an optional peer dependency. When it is not
// installed, the require below fails once and every helper of spans.ts runs its function without a span (nothing to
// install, nothing recorded). When it is installed, spans go to the global tracer provider the application registered
// (without one, the API's own no-op tracer makes them free).
//
// A synchronous require, not a top-level `await import()`: an ES module graph with top-level await cannot be
// `require()`d from CommonJS (ERR_REQUIRE_ASYNC_MODULE), and the first pass must see the API. The API keeps its
// state (tracer provider, context manager, propagator) on a global symbol, so this CommonJS copy and an application's
// ES module copy of the same major version share it.
import { createRequire } from 'node:module';
import type * as OtelApi from '@opentelemetry/api';

/** The OpenTelemetry API module, or null when the optional peer is not installed. */
export type Otel = typeof OtelApi;

function load(): Otel | null {
  try {
    return createRequire(import.meta.url)('@opentelemetry/api') as Otel;
  } catch {
    return null;
  }
}

const api: Otel | null = load();

/** The OpenTelemetry API, or null when `@opentelemetry/api` is not installed. */
export function otel(): Otel | null {
  return api;
}

/** Name of the tracer the engine's spans come from. */
export const TRACER_NAME = '@craft/scheduler';
