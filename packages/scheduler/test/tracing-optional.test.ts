// @opentelemetry/api is an optional peer: without it the engine runs exactly as before, with no spans and no
// traceparent. The module is made unresolvable for this file (vi.doMock with a factory that throws, as a missing
// package's import does).
import { describe, expect, it, vi } from 'vitest';

describe('without @opentelemetry/api installed', () => {
  it('runs handlers without spans or a traceparent', async () => {
    vi.resetModules();
    vi.doMock('@opentelemetry/api', () => {
      throw new Error("Cannot find package '@opentelemetry/api'");
    });
    const otel = await import('../src/tracing/otel.js');
    expect(otel.otel()).toBeNull();
    const spans = await import('../src/tracing/spans.js');
    expect(spans.activeTraceparent()).toBeNull();
    const lib = await import('../src/index.js');
    const clock = new lib.FakeClock(Date.parse('2030-06-01T10:00:00.000Z'));
    let seen = 0;
    const registry = new lib.JobRegistry([lib.defineJob({ type: 'plain', handler: async () => ++seen })]);
    const scheduler = new lib.JobScheduler({
      store: new lib.MemoryStore({ clock }),
      lock: new lib.MemoryLock({ clock }),
      clock,
      registry,
    });
    const run = await (await scheduler.runJob('plain')).done;
    expect(run.status).toBe('succeeded');
    expect(seen).toBe(1);
    vi.doUnmock('@opentelemetry/api');
  });
});
