// Proof: a simulated year in Europe/Stockholm with schedules that hit both DST transitions. Every slot runs
// exactly once, the spring-forward gap slot is skipped that day, the repeated fall-back hour runs once.
// The expected slots are computed independently of @craft/cron, with Intl wall-clock conversion.
import { describe, expect, it } from 'vitest';
import { defineJob, FakeClock, JobRegistry, JobScheduler, MemoryLock, MemoryStore } from '../src/index.js';

const ZONE = 'Europe/Stockholm';
const fmt = new Intl.DateTimeFormat('en-GB', {
  timeZone: ZONE,
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  weekday: 'short',
});

interface Wall {
  key: string;
  hour: number;
  minute: number;
  isoWeekday: number;
}

function wall(ms: number): Wall {
  const p = Object.fromEntries(fmt.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  const isoWeekday = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(p['weekday'] as string);
  return {
    key: `${p['year']}-${p['month']}-${p['day']} ${p['hour']}:${p['minute']}`,
    hour: Number(p['hour']),
    minute: Number(p['minute']),
    isoWeekday,
  };
}

// The schedules under test, each with an independent matcher over wall time.
const SCHEDULES: { name: string; cron: string; match: (w: Wall) => boolean }[] = [
  { name: 'nightly-0230', cron: '30 2 * * *', match: (w) => w.hour === 2 && w.minute === 30 },
  { name: 'hourly', cron: '0 * * * *', match: (w) => w.minute === 0 },
  { name: 'two-am-halves', cron: '*/30 2 * * *', match: (w) => w.hour === 2 && w.minute % 30 === 0 },
  {
    name: 'sunday-0300',
    cron: '0 3 * * 6',
    match: (w) => w.isoWeekday === 6 && w.hour === 3 && w.minute === 0,
  },
];

function expectedSlots(fromMs: number, toMs: number, match: (w: Wall) => boolean): number[] {
  const out: number[] = [];
  const seen = new Set<string>();
  for (let t = fromMs + 15 * 60_000; t < toMs; t += 15 * 60_000) {
    const w = wall(t);
    if (seen.has(w.key)) continue; // second occurrence of a repeated wall time
    seen.add(w.key);
    if (match(w)) out.push(t);
  }
  return out;
}

describe('proof: a simulated year in Europe/Stockholm', () => {
  it('runs every slot exactly once across both DST transitions', async () => {
    const start = Date.parse('2029-12-31T23:00:00.000Z'); // 2030-01-01 00:00 local
    const end = Date.parse('2030-12-31T23:00:00.000Z');
    const clock = new FakeClock(start);
    const executions = new Map<string, number>();
    const registry = new JobRegistry([
      defineJob({
        type: 'record',
        handler: async (_p, ctx) => {
          const key = `${ctx.jobName}@${ctx.scheduledAt?.getTime()}`;
          executions.set(key, (executions.get(key) ?? 0) + 1);
        },
      }),
    ]);
    const store = new MemoryStore({ clock });
    const scheduler = new JobScheduler({
      store,
      lock: new MemoryLock({ clock }),
      registry,
      clock,
      timezone: ZONE,
    });
    for (const s of SCHEDULES) {
      await scheduler.schedules.create({ jobName: s.name, cronExpression: s.cron, jobType: 'record' });
    }
    // Pass at the instant the earliest next_run_at falls due, as the loop runner does.
    let passes = 0;
    for (;;) {
      const next = await store.getEarliestNextRunAt();
      if (!next || next.getTime() >= end) break;
      await clock.set(next);
      await (await scheduler.checkAndRunDueJobs()).done;
      passes++;
    }
    await scheduler.idle();
    expect(passes).toBeGreaterThan(8000);

    for (const s of SCHEDULES) {
      const expected = expectedSlots(start, end, s.match);
      const runs = await store.listRuns({ jobName: s.name, order: 'asc' });
      const slots = runs.map((r) => r.slot?.getTime() ?? -1).sort((a, b) => a - b);
      expect(slots).toEqual(expected);
      expect(runs.every((r) => r.status === 'succeeded' && r.trigger === 'schedule')).toBe(true);
      for (const t of expected) expect(executions.get(`${s.name}@${t}`)).toBe(1);
    }
    expect([...executions.values()].every((n) => n === 1)).toBe(true);

    const nightly = (await store.listRuns({ jobName: 'nightly-0230' })).map((r) => r.slot?.toISOString());
    expect(nightly).toHaveLength(364); // 365 days minus the spring-forward day
    // Spring forward 2030-03-31: 02:30 does not exist and is skipped that day; next day 02:30 CEST.
    expect(nightly).toContain('2030-03-30T01:30:00.000Z');
    expect(nightly.some((s) => s?.startsWith('2030-03-31'))).toBe(false);
    expect(nightly).toContain('2030-04-01T00:30:00.000Z');
    // Fall back 2030-10-27: 02:30 occurs twice (00:30Z CEST, 01:30Z CET) and runs once, at the first.
    expect(nightly).toContain('2030-10-27T00:30:00.000Z');
    expect(nightly).not.toContain('2030-10-27T01:30:00.000Z');
    const hourly = (await store.listRuns({ jobName: 'hourly' })).length;
    // 8759 whole UTC hours lie strictly inside the year; each is a local :00 (whole-hour offsets). The skipped
    // local 02:00 of spring forward is no UTC instant at all; the repeated local 02:00 of fall back runs once.
    expect(hourly).toBe(8759 - 1);
  }, 120_000);
});
