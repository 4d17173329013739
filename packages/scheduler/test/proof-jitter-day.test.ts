// Proof: a simulated day of jittered schedules on three replicas whose clocks differ by ±2 s, each running its own
// loop. Every slot runs exactly once, keyed by the cron instant; each run starts at its due instant (slot + the
// offset every replica computes alike), not at the slot; lag measured from the due instant stays within the skew.
import { describe, expect, it } from 'vitest';
import {
  defineJob,
  FakeClock,
  JobRegistry,
  JobScheduler,
  jitterOffsetMs,
  MemoryLock,
  MemoryStore,
  offsetClock,
} from '../src/index.js';

const SCHEDULES = [
  { name: 'hourly-spread', cron: '0 * * * *', jitter: 1800 },
  { name: 'quarter-spread', cron: '*/15 * * * *', jitter: 600 },
  { name: 'not-jittered', cron: '*/30 * * * *', jitter: 0 },
];

describe('proof: a simulated day of jittered schedules on three replicas', () => {
  it('starts every slot once, at slot + its deterministic offset, on whichever replica claims it', async () => {
    const start = Date.parse('2030-06-01T00:00:00.000Z');
    const clock = new FakeClock(start);
    const starts: { name: string; slot: number; at: number; replica: string }[] = [];
    const store = new MemoryStore({ clock });
    const lock = new MemoryLock({ clock });
    const replicas = [-2000, 0, 2000].map((skew, i) => {
      const own = offsetClock(clock, skew);
      const registry = new JobRegistry([
        defineJob({
          type: 'mark',
          handler: async (_p, ctx) => {
            starts.push({
              name: ctx.jobName ?? '',
              slot: ctx.scheduledAt?.getTime() ?? 0,
              at: clock.now(),
              replica: `r${i}`,
            });
          },
        }),
      ]);
      return new JobScheduler({
        store,
        lock,
        registry,
        clock: own,
        timezone: 'UTC',
        replicaId: `r${i}`,
        logger: { debug() {}, info() {}, warn() {}, error() {} },
      });
    });
    for (const s of SCHEDULES) {
      await replicas[0]?.schedules.create({
        jobName: s.name,
        cronExpression: s.cron,
        jobType: 'mark',
        jitterSeconds: s.jitter,
      });
    }
    for (const r of replicas) await r.start();
    await clock.advance(24 * 3_600_000);
    const stopping = Promise.all(replicas.map((r) => r.stop()));
    await clock.advance(60_000);
    await stopping;

    for (const s of SCHEDULES) {
      const mine = starts.filter((x) => x.name === s.name).sort((a, b) => a.slot - b.slot);
      const perDay = s.cron === '0 * * * *' ? 24 : s.cron === '*/15 * * * *' ? 96 : 48;
      // The slot at the very start (00:00) is not a slot after creation; the day's last due instants fall inside it.
      expect(mine.length).toBeGreaterThanOrEqual(perDay - 1);
      expect(new Set(mine.map((x) => x.slot)).size).toBe(mine.length);
      const runs = await store.listRuns({ jobName: s.name });
      expect(runs).toHaveLength(mine.length);
      for (const x of mine) {
        const due = x.slot + jitterOffsetMs(s.name, new Date(x.slot), s.jitter);
        // Started at its due instant as seen by the claiming replica's clock (±2 s skew), never before the slot.
        expect(x.at).toBeGreaterThanOrEqual(due - 2000);
        expect(x.at).toBeLessThanOrEqual(due + 2000);
        const run = runs.find((r) => r.slot?.getTime() === x.slot);
        expect(run?.dueAt?.getTime()).toBe(due);
        expect(run?.runKey).toBe(`${s.name}@${new Date(x.slot).toISOString()}`);
        expect(run?.trigger).toBe('schedule');
      }
      if (s.jitter > 0) {
        // The offsets really spread the starts.
        const offsets = mine.map((x) => jitterOffsetMs(s.name, new Date(x.slot), s.jitter));
        expect(Math.max(...offsets) - Math.min(...offsets)).toBeGreaterThan(s.jitter * 500);
      }
    }
    // Several replicas took part.
    expect(new Set(starts.map((x) => x.replica)).size).toBeGreaterThan(1);
  }, 120_000);
});
