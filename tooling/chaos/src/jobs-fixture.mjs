// @ts-check
// The CRAFT_JOBS module the harness writes for its API processes: short jobs (and a few long ones) that append one
// line per handler event to a per-process execution log, synchronously, so a SIGKILL loses nothing already written.
//
// Every line carries the real wall time `t` and `dl`, the replica's local lease deadline at that moment as a real wall
// time (`Date.now() + context.leaseTimeLeftMs()`: the engine measures it on the monotonic clock, which the accelerated
// test clock leaves at real time). Events (`e`):
//   s  start (with `key`, the run's idempotency key)
//   k  tick between two chunks of work (every 250 ms at most), so the audit knows how the deadline moved
//   x  the effect a downstream receiver sees (with `key`): made only while the lease is ours
//      (`leaseTimeLeftMs() > 0`), as the scheduler README tells handler authors
//   e  successful end; f failed end (`why`: the abort reason's code, or `planned` for chaos_flaky's failures)
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Job types chained after successful runs of some schedules (each its own lock `job:<type>`). */
export const CHAIN_TYPES = ['chaos_chain_a', 'chaos_chain_b', 'chaos_chain_c', 'chaos_chain_d'];

/**
 * Writes the jobs module into `dir` and returns its path. Job types: `chaos_sleep` (sleeps a random 0–`maxSleepMs`
 * real ms, honouring its signal), `chaos_noop`, `chaos_flaky` (fails a third of its attempts), `chaos_long` (runs
 * `longMs` real ms: several lease renewals, and the attempts a stall or a cut-off database catches mid-run) and the
 * chain targets. Timeouts are in scheduler time: `speed` turns real seconds into it.
 * @param {string} dir
 * @param {{ maxSleepMs?: number, longMs?: [number, number], speed?: number }} [options]
 */
export function writeJobsModule(dir, options = {}) {
  const require = createRequire(import.meta.url);
  const scheduler = pathToFileURL(require.resolve('@craft/scheduler')).href;
  const maxSleepMs = options.maxSleepMs ?? 300;
  const [longMin, longMax] = options.longMs ?? [1000, 8000];
  const speed = options.speed ?? 60;
  // 60 real seconds for the short jobs; the long one times out after 7 real seconds (some of its attempts do).
  const timeout = (/** @type {number} */ realSeconds) => Math.max(1, Math.round(realSeconds * speed));
  const path = join(dir, 'chaos-jobs.mjs');
  writeFileSync(
    path,
    `// Written by tooling/chaos (test fixture).
import { appendFileSync } from 'node:fs';
import { defineJob } from ${JSON.stringify(scheduler)};

const LOG = process.env.CHAOS_EXEC_LOG;
const line = (e, ctx, extra) => {
  const t = Date.now();
  appendFileSync(
    LOG,
    JSON.stringify({ e, run: ctx.runId, att: ctx.attempt, pid: process.pid, t, dl: Math.round(t + ctx.leaseTimeLeftMs()), ...extra }) + '\\n',
  );
};
const nap = (ms, signal) =>
  new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => { clearTimeout(timer); reject(signal.reason); }, { once: true });
  });
// Sleeps in chunks of at most 250 ms, with a tick line between them.
const work = async (ms, ctx) => {
  const end = Date.now() + ms;
  for (;;) {
    const left = end - Date.now();
    if (left <= 0) return;
    await nap(Math.min(250, left), ctx.signal);
    if (end - Date.now() > 0) line('k', ctx);
  }
};
const job = (type, body, timeoutSeconds = ${timeout(60)}) =>
  defineJob({
    type,
    maxAttempts: 3,
    timeoutSeconds,
    backoff: { baseMs: 1000, maxMs: 10000, jitter: 0.2 },
    handler: async (_params, ctx) => {
      line('s', ctx, { key: ctx.idempotencyKey });
      try {
        await body(ctx);
        // The effect downstream, keyed by the run's idempotency key, only while the lease is ours.
        if (ctx.leaseTimeLeftMs() <= 0) throw ctx.signal.reason ?? new Error('chaos: lease deadline passed');
        line('x', ctx, { key: ctx.idempotencyKey });
        line('e', ctx);
        return { ok: true };
      } catch (error) {
        line('f', ctx, { why: error?.code ?? (ctx.signal.aborted ? ctx.signal.reason?.code : undefined) ?? String(error?.message ?? error).slice(0, 60) });
        throw error;
      }
    },
  });

export default [
  job('chaos_sleep', (ctx) => work(Math.random() * ${maxSleepMs}, ctx)),
  job('chaos_noop', async () => {}),
  job('chaos_flaky', async (ctx) => {
    await work(Math.random() * ${Math.round(maxSleepMs / 3)}, ctx);
    if (Math.random() < 1 / 3) throw Object.assign(new Error('chaos_flaky: planned failure'), { code: 'planned' });
  }),
  job('chaos_long', (ctx) => work(${longMin} + Math.random() * ${longMax - longMin}, ctx), ${timeout(7)}),
${CHAIN_TYPES.map((t) => `  job(${JSON.stringify(t)}, (ctx) => work(Math.random() * 50, ctx)),`).join('\n')}
];
`,
  );
  return path;
}
