// @craft/scheduler engine benchmark (in-memory store and lock, no-op job):
//   1. one pass of checkAndRunDueJobs() over 10,000 due schedules, until every run finished: median of N passes;
//   2. trigger lag of the loop runner with the real clock: handler start minus slot, over a few minute boundaries;
//   3. the CPU time of one `schedules.create()` (validation, next run, store insert and due index, the change event):
//      the part of the API's POST /jobs/schedules that is the engine's, median of rounds of ENGINE_BENCH_CREATES.
// Run: pnpm bench engine   (env: ENGINE_BENCH_SCHEDULES, ENGINE_BENCH_PASSES, ENGINE_BENCH_LAG_SCHEDULES,
//                           ENGINE_BENCH_CREATES)
//      pnpm bench engine --quick   smoke run (1,000 schedules, one measured pass, 100 for the lag; BENCH_QUICK=1 too)
import {
  createSchedule,
  defineJob,
  JobRegistry,
  JobScheduler,
  MemoryLock,
  MemoryStore,
  offsetClock,
  systemClock,
} from '@craft/scheduler';

const QUICK = process.argv.includes('--quick') || process.env.BENCH_QUICK === '1';
const SCHEDULES = Number(process.env.ENGINE_BENCH_SCHEDULES ?? (QUICK ? 1_000 : 10_000));
const PASSES = Number(process.env.ENGINE_BENCH_PASSES ?? (QUICK ? 1 : 5));
const LAG_SCHEDULES = Number(process.env.ENGINE_BENCH_LAG_SCHEDULES ?? (QUICK ? 100 : 1_000));
const LAG_ROUNDS = 3;
const CREATES = Number(process.env.ENGINE_BENCH_CREATES ?? (QUICK ? 2_000 : 20_000));
const CREATE_ROUNDS = QUICK ? 2 : 6;
const MIN = 60_000;
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};

async function passBench() {
  // Time stands still at `t` during a pass (timers stay real), so each pass claims exactly one slot per schedule.
  const clock = { t: 0, now: () => clock.t, sleep: (ms, signal) => systemClock.sleep(ms, signal) };
  const store = new MemoryStore({ clock });
  const registry = new JobRegistry([defineJob({ type: 'noop', handler: async () => null })]);
  const scheduler = new JobScheduler({
    store,
    lock: new MemoryLock({ clock }),
    clock,
    registry,
    logger: quiet,
    maxDuePerPass: SCHEDULES,
    // Room for every schedule's run at once: a pass claims no more than the replica may run (32 by default), and
    // this measures one pass over all of them.
    maxConcurrentRuns: SCHEDULES,
    timezone: 'UTC',
  });
  const minute = Math.floor(Date.now() / MIN) * MIN;
  clock.t = minute;
  for (let i = 0; i < SCHEDULES; i++) {
    await store.insertSchedule(
      createSchedule({
        jobName: `s${i}`,
        cronExpression: '* * * * *',
        jobType: 'noop',
        nextRunAt: new Date(minute),
      }),
    );
  }
  const times = [];
  for (let p = 0; p <= PASSES; p++) {
    // Each pass claims the next slot of every schedule (one run each), 1 s after it fell due.
    clock.t = minute + p * MIN + 1000;
    globalThis.gc?.();
    const t0 = performance.now();
    const result = await scheduler.checkAndRunDueJobs();
    const runs = await result.done;
    const ms = performance.now() - t0;
    if (runs.length !== SCHEDULES || runs.some((r) => r.status !== 'succeeded')) {
      throw new Error(`pass ${p}: expected ${SCHEDULES} succeeded runs, got ${runs.length}`);
    }
    if (p > 0) times.push(ms); // pass 0 warms up
  }
  return times;
}

async function lagRound() {
  // Shift the engine's clock so that a minute boundary falls 1.5 s from now; sleeps stay real time.
  const now = Date.now();
  const offset = Math.ceil((now + 1500) / MIN) * MIN - (now + 1500);
  const clock = offsetClock(systemClock, offset);
  const store = new MemoryStore({ clock });
  const lags = [];
  let pending = LAG_SCHEDULES;
  let finished;
  const allRan = new Promise((r) => {
    finished = r;
  });
  const registry = new JobRegistry([
    defineJob({
      type: 'noop',
      handler: async (_p, ctx) => {
        lags.push(clock.now() - ctx.scheduledAt.getTime());
        if (--pending === 0) finished();
      },
    }),
  ]);
  const scheduler = new JobScheduler({
    store,
    lock: new MemoryLock({ clock }),
    registry,
    clock,
    logger: quiet,
    timezone: 'UTC',
    maxDuePerPass: LAG_SCHEDULES,
  });
  for (let i = 0; i < LAG_SCHEDULES; i++) {
    await scheduler.schedules.create({ jobName: `l${i}`, cronExpression: '* * * * *', jobType: 'noop' });
  }
  await scheduler.start();
  await allRan;
  await scheduler.stop({ graceMs: 1000 });
  return lags;
}

/** CPU µs per `schedules.create()` on the in-memory store, one value per round (the first round warms up). */
async function createRounds() {
  const store = new MemoryStore();
  const registry = new JobRegistry([defineJob({ type: 'noop', handler: async () => null })]);
  const scheduler = new JobScheduler({
    store,
    lock: new MemoryLock(),
    registry,
    logger: quiet,
    timezone: 'UTC',
  });
  const out = [];
  for (let round = 0; round < CREATE_ROUNDS; round++) {
    const t0 = process.cpuUsage();
    for (let i = 0; i < CREATES; i++) {
      await scheduler.schedules.create(
        { jobName: `c${round}-${i}`, cronExpression: '0 3 1 1 *', jobType: 'noop', description: 'bench' },
        { by: 'bench' },
      );
    }
    const used = process.cpuUsage(t0);
    if (round > 0) out.push((used.user + used.system) / CREATES);
  }
  if ((await store.listSchedules({})).length !== CREATES * CREATE_ROUNDS)
    throw new Error('creates went missing');
  return out;
}

const times = await passBench();
const passMs = median(times);
const lags = [];
for (let r = 0; r < LAG_ROUNDS; r++) lags.push(...(await lagRound()));

const creates = await createRounds();

const rows = [
  ['due schedules per pass', SCHEDULES.toLocaleString('en-US')],
  [`pass time, median of ${PASSES} (ms)`, passMs.toFixed(1)],
  ['pass time, min / max (ms)', `${Math.min(...times).toFixed(1)} / ${Math.max(...times).toFixed(1)}`],
  ['runs/s (claim + execute + record)', Math.round((SCHEDULES / passMs) * 1000).toLocaleString('en-US')],
  [`trigger lag p50 (ms, ${lags.length} runs)`, pct(lags, 50).toFixed(1)],
  ['trigger lag p95 (ms)', pct(lags, 95).toFixed(1)],
  ['trigger lag p99 (ms)', pct(lags, 99).toFixed(1)],
  ['trigger lag max (ms)', Math.max(...lags).toFixed(1)],
  [
    `schedules.create() CPU per call (µs, median of ${creates.length} × ${CREATES.toLocaleString('en-US')})`,
    median(creates).toFixed(1),
  ],
];
const w = Math.max(...rows.map((r) => r[0].length));
console.log('@craft/scheduler engine (in-memory store/lock, no-op job, node', process.version + ')');
for (const [k, v] of rows) console.log(`  ${k.padEnd(w)}  ${v}`);
