// OpenTelemetry traces for the service (spec section 12), configured by the standard OTEL_* environment variables
// and off when none is set. The SDK (`@opentelemetry/sdk-node`) is loaded only when tracing is on, and it reads its
// own settings from the process environment: OTEL_TRACES_EXPORTER (otlp, console, none), OTEL_EXPORTER_OTLP_ENDPOINT /
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, OTEL_EXPORTER_OTLP_PROTOCOL, OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES,
// OTEL_TRACES_SAMPLER(_ARG), OTEL_PROPAGATORS. Requests are traced by @fastify/otel (registered by buildApp when
// `tracing` is on); the scheduler's pass, claim and attempt spans (@craft/scheduler) join the same traces.

/** Environment variables, as `process.env`. */
export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Whether the environment turns tracing on: `OTEL_TRACES_EXPORTER` set to something other than `none`, or an OTLP
 * endpoint (`OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) given; and `OTEL_SDK_DISABLED` is
 * not `true` (the specification's kill switch).
 */
export function tracingEnabled(env: Env): boolean {
  if ((env['OTEL_SDK_DISABLED'] ?? '').trim().toLowerCase() === 'true') return false;
  const exporters = (env['OTEL_TRACES_EXPORTER'] ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '');
  if (exporters.length > 0) return exporters.some((e) => e !== 'none');
  return Boolean(
    env['OTEL_EXPORTER_OTLP_ENDPOINT']?.trim() || env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']?.trim(),
  );
}

/** A started SDK. */
export interface Telemetry {
  /** Flushes pending spans and stops the exporters. */
  shutdown(): Promise<void>;
}

/**
 * Starts the OpenTelemetry Node SDK when {@link tracingEnabled}, else resolves null (nothing is loaded). Traces only:
 * metrics stay on `/metrics` and logs on pino's stream, so `OTEL_METRICS_EXPORTER` and `OTEL_LOGS_EXPORTER` default
 * to `none` here (set them to export those too). The service name defaults to `craft-api`.
 */
export async function startTelemetry(env: Env = process.env): Promise<Telemetry | null> {
  if (!tracingEnabled(env)) return null;
  // The SDK reads process.env itself; these defaults apply only where the operator set nothing.
  process.env['OTEL_METRICS_EXPORTER'] ??= 'none';
  process.env['OTEL_LOGS_EXPORTER'] ??= 'none';
  const { NodeSDK } = await import('@opentelemetry/sdk-node');
  const sdk = new NodeSDK({
    instrumentations: [],
    ...(env['OTEL_SERVICE_NAME'] ? {} : { serviceName: 'craft-api' }),
  });
  sdk.start();
  return { shutdown: () => sdk.shutdown() };
}
