// OpenTelemetry, optional (spec section 12): `@opentelemetry/api` is an optional peer dependency. When it is not
// installed, the import below fails once and every helper of spans.ts runs its function without a span (nothing to
// install, nothing recorded). When it is installed, spans go to the global tracer provider the application registered
// (without one, the API's own no-op tracer makes them free).
import type * as OtelApi from '@opentelemetry/api';

/** The OpenTelemetry API module, or null when the optional peer is not installed. */
export type Otel = typeof OtelApi;

let api: Otel | null = null;
try {
  // A variable specifier keeps bundlers and type checkers from insisting on the optional peer.
  const name = '@opentelemetry/api';
  api = (await import(name)) as Otel;
} catch {
  api = null;
}

/** The OpenTelemetry API, or null when `@opentelemetry/api` is not installed. */
export function otel(): Otel | null {
  return api;
}

/** Name of the tracer the engine's spans come from. */
export const TRACER_NAME = '@craft/scheduler';
