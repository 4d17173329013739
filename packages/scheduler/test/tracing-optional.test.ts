// @opentelemetry/api is an optional peer: without it the engine runs exactly as before, with no spans and no
// traceparent. The package is made unresolvable for this file: tracing/otel.ts loads it with createRequire, whose
// require is replaced by one that throws MODULE_NOT_FOUND for it, as Node does when it is not installed.
import { describe, expect, it, vi } from 'vitest';

describe('without @opentelemetry/api installed', () => {
  it('runs handlers without spans or a traceparent', async () => {
    vi.resetModules();
    vi.doMock('node:module', async (original) => {
      const real = await original<typeof import('node:module')>();
      return {
        ...real,
        createRequire: (from: string | URL) => {
          const req = real.createRequire(from);
          return Object.assign((id: string) => {
            if (id === '@opentelemetry/api') {
              throw Object.assign(new Error(`Cannot find module '${id}'`), { code: 'MODULE_NOT_FOUND' });
            }
            return req(id);
          }, req);
        },
      };
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
    vi.doUnmock('node:module');
  }, 60_000); // re-imports the engine's sources after resetModules
});
