// @ts-check
// The CRAFT_JOBS module the harness writes for its API processes: short jobs that append one line per handler
// start and end to a per-process execution log (synchronously, so a SIGKILL loses nothing already written).
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Job types chained after successful runs of some schedules (each its own lock `job:<type>`). */
export const CHAIN_TYPES = ['chaos_chain_a', 'chaos_chain_b', 'chaos_chain_c', 'chaos_chain_d'];

/**
 * Writes the jobs module into `dir` and returns its path. Job types: `chaos_sleep` (sleeps a random 0–`maxSleepMs`
 * real ms, honouring its signal), `chaos_noop`, `chaos_flaky` (fails a third of its attempts) and the chain targets.
 * @param {string} dir
 * @param {{ maxSleepMs?: number }} [options]
 */
export function writeJobsModule(dir, options = {}) {
  const require = createRequire(import.meta.url);
  const scheduler = pathToFileURL(require.resolve('@craft/scheduler')).href;
  const maxSleepMs = options.maxSleepMs ?? 300;
  const path = join(dir, 'chaos-jobs.mjs');
  writeFileSync(
    path,
    `// Written by tooling/chaos (test fixture).
import { appendFileSync } from 'node:fs';
import { defineJob } from ${JSON.stringify(scheduler)};

const LOG = process.env.CHAOS_EXEC_LOG;
const log = (e, ctx) =>
  appendFileSync(LOG, JSON.stringify({ e, run: ctx.runId, att: ctx.attempt, pid: process.pid, t: Date.now() }) + '\\n');
const sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => { clearTimeout(timer); reject(signal.reason); }, { once: true });
  });
const job = (type, work) =>
  defineJob({
    type,
    maxAttempts: 3,
    timeoutSeconds: 3600,
    backoff: { baseMs: 1000, maxMs: 10000, jitter: 0.2 },
    handler: async (_params, ctx) => {
      log('s', ctx);
      try {
        const result = await work(ctx);
        log('e', ctx);
        return result;
      } catch (error) {
        log('f', ctx);
        throw error;
      }
    },
  });

export default [
  job('chaos_sleep', async (ctx) => { await sleep(Math.random() * ${maxSleepMs}, ctx.signal); return { ok: true }; }),
  job('chaos_noop', async () => ({ ok: true })),
  job('chaos_flaky', async (ctx) => {
    await sleep(Math.random() * ${Math.round(maxSleepMs / 3)}, ctx.signal);
    if (Math.random() < 1 / 3) throw new Error('chaos_flaky: planned failure');
    return { ok: true };
  }),
${CHAIN_TYPES.map((t) => `  job(${JSON.stringify(t)}, async (ctx) => { await sleep(Math.random() * 50, ctx.signal); return { ok: true }; }),`).join('\n')}
];
`,
  );
  return path;
}
