// Proof: five scheduler instances (loop runners, clocks skewed by up to ±3 s) on one in-memory store, 500
// schedules, a simulated day with random instance crashes (at any await point) and restarts. With the default
// catch-up policy: zero duplicate slots, zero lost slots. Scale with CRAFT_PROOF_SCALE (e.g. 4 = four days).
import { describe, expect, it } from 'vitest';
import {
  defineJob,
  FakeClock,
  JobRegistry,
  JobScheduler,
  MemoryLock,
  MemoryStore,
  offsetClock,
} from '../src/index.js';
import { killable } from '../src/testing/index.js';

const SCALE = Number(process.env['CRAFT_PROOF_SCALE'] ?? 1);
const MIN = 60_000;
const INSTANCES = 5;
const SCHEDULES = 500;
const TTL = 30_000;

/** A small deterministic PRNG (mulberry32) so failures reproduce. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Replica {
  scheduler: JobScheduler;
  kill(): void;
  dead: boolean;
}

describe('proof: five replicas, 500 schedules, a simulated day with crashes', () => {
  it('triggers every slot exactly once: zero duplicates, zero lost', async () => {
    const random = rng(20300101);
    const start = Date.parse('2030-01-01T00:00:00.000Z');
    const days = SCALE;
    const end = start + days * 1440 * MIN;
    const clock = new FakeClock(start);
    const store = new MemoryStore({ clock });
    const lock = new MemoryLock({ clock });
    const completions = new Map<string, number>();
    const byScheduler = new WeakMap<object, Replica>();
    const registry = new JobRegistry([
      defineJob({
        type: 'work',
        maxAttempts: 5,
        timeoutSeconds: 120,
        backoff: { baseMs: 1000, maxMs: 5000, jitter: 0.5 },
        handler: async (params, ctx) => {
          await clock.sleep(Number(params['durationMs'] ?? 0));
          // A dead process completes nothing: only completions of live replicas count.
          if (byScheduler.get(ctx.scheduler as object)?.dead) return new Promise(() => {});
          const key = `${ctx.jobName}@${ctx.scheduledAt?.toISOString()}`;
          completions.set(key, (completions.get(key) ?? 0) + 1);
          return null;
        },
      }),
    ]);
    const quiet = { debug() {}, info() {}, warn() {}, error() {} };
    let next = 0;
    const spawn = async (): Promise<Replica> => {
      const s = killable(store);
      const l = killable(lock);
      const scheduler = new JobScheduler({
        store: s.proxy,
        lock: l.proxy,
        registry,
        clock: offsetClock(clock, Math.round((random() - 0.5) * 6000)),
        replicaId: `replica-${next++}`,
        lockTtlMs: TTL,
        logger: quiet,
        timezone: 'UTC',
      });
      const replica: Replica = {
        scheduler,
        dead: false,
        kill() {
          replica.dead = true;
          s.kill();
          l.kill();
        },
      };
      byScheduler.set(scheduler, replica);
      void scheduler.start();
      return replica;
    };

    // Schedules: every 5-60 minutes at assorted offsets, some with handlers taking up to 40 s.
    const admin = new JobScheduler({
      store,
      lock,
      registry,
      clock,
      logger: quiet,
      timezone: 'UTC',
      replicaId: 'admin',
    });
    const steps = [5, 10, 15, 20, 30, 60];
    const expected = new Map<string, number[]>();
    for (let i = 0; i < SCHEDULES; i++) {
      const step = steps[i % steps.length] as number;
      const offset = i % step;
      await admin.schedules.create({
        jobName: `job-${i}`,
        cronExpression: step === 60 ? `${offset} * * * *` : `${offset}-59/${step} * * * *`,
        jobType: 'work',
        parameters: { durationMs: i % 3 === 0 ? Math.floor(random() * 40_000) : 0 },
      });
      const slots: number[] = [];
      for (let t = start + MIN; t < end; t += MIN) {
        const m = new Date(t).getUTCMinutes();
        if (m >= offset && (m - offset) % step === 0) slots.push(t);
      }
      expected.set(`job-${i}`, slots);
    }

    const replicas: Replica[] = [];
    for (let i = 0; i < INSTANCES; i++) replicas.push(await spawn());
    let crashes = 0;
    const restarts: { at: number }[] = [];
    for (let t = start; t < end; t += MIN) {
      // Each simulated minute: maybe crash a replica at a random point within the minute, restart later.
      if (random() < 0.04) {
        const alive = replicas.filter((r) => !r.dead);
        const victim = alive[Math.floor(random() * alive.length)];
        await clock.advance(Math.floor(random() * 59_000));
        if (victim && alive.length > 1) {
          victim.kill();
          crashes++;
          restarts.push({ at: clock.now() + Math.floor(random() * 3) * MIN });
        }
      }
      for (const r of restarts.splice(0)) {
        if (r.at <= clock.now()) replicas.push(await spawn());
        else restarts.push(r);
      }
      await clock.set(t + MIN);
    }
    // Let recovery of the last crashes and the last slots' runs finish, then drain.
    await clock.advance(3 * MIN);
    const alive = replicas.filter((r) => !r.dead);
    const stopped = Promise.all(alive.map((r) => r.scheduler.stop({ graceMs: 60_000 })));
    await clock.advance(2 * MIN);
    await stopped;

    expect(crashes).toBeGreaterThan(20 * days);
    let duplicates = 0;
    let lost = 0;
    let total = 0;
    const allRuns = await store.listRuns();
    const runsByJob = new Map<string, typeof allRuns>();
    for (const r of allRuns) runsByJob.set(r.jobName ?? '', [...(runsByJob.get(r.jobName ?? '') ?? []), r]);
    for (const [jobName, slots] of expected) {
      const runs = runsByJob.get(jobName) ?? [];
      const bySlot = new Map<number, number>();
      for (const r of runs)
        bySlot.set(r.slot?.getTime() ?? -1, (bySlot.get(r.slot?.getTime() ?? -1) ?? 0) + 1);
      for (const slot of slots) {
        total++;
        const key = `${jobName}@${new Date(slot).toISOString()}`;
        const done = completions.get(key) ?? 0;
        if (done > 1 || (bySlot.get(slot) ?? 0) > 1) duplicates++;
        if (done === 0) lost++;
      }
      // No run for anything but an expected slot.
      const slotSet = new Set(slots);
      expect([...bySlot.keys()].every((s) => slotSet.has(s) || s >= end)).toBe(true);
      expect(runs.every((r) => r.status === 'succeeded')).toBe(true);
    }
    expect({ duplicates, lost }).toEqual({ duplicates: 0, lost: 0 });
    expect(total).toBeGreaterThan(SCHEDULES * 20 * days);
  }, 600_000);
});
