// The built service as a real process with the standard OTEL_* variables pointing at a local OTLP/HTTP (JSON)
// receiver: the request spans of @fastify/otel and the scheduler's spans reach it, with service.name craft-api;
// without the variables nothing is exported.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECRET, token } from './helpers.js';
import { killAll, startApi } from './process.js';

interface OtlpSpan {
  name: string;
  traceId: string;
  attributes: { key: string; value: Record<string, unknown> }[];
}
interface Received {
  service: string | undefined;
  scope: string;
  span: OtlpSpan;
}

let collector: Server;
let endpoint: string;
const received: Received[] = [];

beforeAll(async () => {
  collector = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      if (req.url === '/v1/traces' && req.headers['content-type']?.includes('json')) {
        const doc = JSON.parse(body) as {
          resourceSpans: {
            resource: { attributes: { key: string; value: { stringValue?: string } }[] };
            scopeSpans: { scope: { name: string }; spans: OtlpSpan[] }[];
          }[];
        };
        for (const rs of doc.resourceSpans) {
          const service = rs.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue;
          for (const ss of rs.scopeSpans)
            for (const span of ss.spans) received.push({ service, scope: ss.scope.name, span });
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
});

afterAll(async () => {
  killAll();
  await new Promise((resolve) => collector.close(resolve));
});

async function waitFor(check: () => boolean, ms = 15_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until)
      throw new Error(`timed out; received spans: ${received.map((r) => r.span.name).join(', ')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('craft-api with OTEL_* set', () => {
  it('exports request and scheduler spans over OTLP to the configured endpoint', async () => {
    const api = await startApi({
      JWT_SECRET: SECRET,
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '100',
    });
    try {
      expect(api.output()).toContain('OpenTelemetry tracing is on');
      // The caller's trace continues (W3C traceparent, the SDK's default propagator).
      const callerTrace = '4bf92f3577b34da6a3ce929d0e0e4736';
      const res = await fetch(`${api.url}/jobs/run/cleanup_run_history?wait=true`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token()}`,
          'content-type': 'application/json',
          traceparent: `00-${callerTrace}-00f067aa0ba902b7-01`,
        },
        body: '{}',
      });
      expect(res.status).toBe(200);
      await waitFor(() => received.some((r) => r.span.name === 'craft.run.attempt'));
      const attempt = received.find((r) => r.span.name === 'craft.run.attempt') as Received;
      expect(attempt.service).toBe('craft-api');
      expect(attempt.scope).toBe('@craft/scheduler');
      expect(attempt.span.traceId).toBe(callerTrace);
      await waitFor(() =>
        received.some((r) => r.scope === '@fastify/otel' && r.span.traceId === attempt.span.traceId),
      );
      // The startup pass of the loop is traced too.
      expect(received.some((r) => r.span.name === 'craft.pass')).toBe(true);
    } finally {
      expect(await api.stop('SIGINT')).toBe(0);
    }
  });

  it('exports nothing and says nothing about tracing when no OTEL_* variable is set', async () => {
    const before = received.length;
    const api = await startApi({ JWT_SECRET: SECRET, LOG_LEVEL: 'info' });
    try {
      const res = await fetch(`${api.url}/jobs/run/cleanup_run_history?wait=true`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token()}`, 'content-type': 'application/json' },
        body: '{}',
      });
      expect(res.status).toBe(200);
    } finally {
      expect(await api.stop('SIGINT')).toBe(0);
    }
    expect(api.output()).not.toContain('OpenTelemetry');
    expect(received.length).toBe(before);
  });
});
