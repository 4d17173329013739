// Proof: a simulated year in Europe/Stockholm with schedules that choose dst_gap shift and dst_overlap both/last. Every
// slot runs exactly once: a gap's missing wall times run once at the first instant after the gap (coalesced with a
// slot there), a repeated wall time runs at both occurrences (or only the last), and runs record their DST marker.
// The expected slots come from an independent reference: Intl wall-clock conversion every 5 minutes of real time.
import type { DstGapPolicy, DstOverlapPolicy } from '@craft/cron';
import { describe, expect, it } from 'vitest';
import { defineJob, FakeClock, JobRegistry, JobScheduler, MemoryLock, MemoryStore } from '../src/index.js';

const ZONE = 'Europe/Stockholm';
const STEP = 5 * 60_000;
const fmt = new Intl.DateTimeFormat('en-GB', {
  timeZone: ZONE,
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
});

/** Wall time as minutes since the local epoch (a number to do arithmetic on), and its hour/minute. */
function wall(ms: number): { key: number; hour: number; minute: number } {
  const p = Object.fromEntries(fmt.formatToParts(new Date(ms)).map((x) => [x.type, Number(x.value)]));
  const key =
    Date.UTC(p['year'] as number, (p['month'] as number) - 1, p['day'], p['hour'], p['minute']) / 60_000;
  return { key, hour: p['hour'] as number, minute: p['minute'] as number };
}
const fromKey = (key: number) => {
  const d = new Date(key * 60_000);
  return { key, hour: d.getUTCHours(), minute: d.getUTCMinutes() };
};

type Match = (w: { hour: number; minute: number }) => boolean;

/** The reference: every real 5-minute instant, its wall time, and the wall times a forward jump skipped. */
function expectedSlots(
  fromMs: number,
  toMs: number,
  match: Match,
  gap: DstGapPolicy,
  overlap: DstOverlapPolicy,
): number[] {
  const instants: { t: number; w: ReturnType<typeof wall> }[] = [];
  for (let t = fromMs + STEP; t < toMs; t += STEP) instants.push({ t, w: wall(t) });
  const byWall = new Map<number, number[]>();
  for (const { t, w } of instants) byWall.set(w.key, [...(byWall.get(w.key) ?? []), t]);
  const out = new Set<number>();
  let prev: number | null = null;
  for (const { t, w } of instants) {
    const occurrences = byWall.get(w.key) as number[];
    const which = occurrences.indexOf(t);
    const chosen =
      overlap === 'both' ||
      occurrences.length === 1 ||
      (overlap === 'first' ? which === 0 : which === occurrences.length - 1);
    if (match(w) && chosen) out.add(t);
    // A forward jump: the wall times strictly between the previous one and this one do not exist.
    if (gap === 'shift' && prev !== null && w.key - prev > STEP / 60_000) {
      for (let k = prev + STEP / 60_000; k < w.key; k += STEP / 60_000) if (match(fromKey(k))) out.add(t);
    }
    prev = w.key;
  }
  return [...out].sort((a, b) => a - b);
}

const SCHEDULES: {
  name: string;
  cron: string;
  gap: DstGapPolicy;
  overlap: DstOverlapPolicy;
  match: Match;
}[] = [
  {
    name: 'shift-0230',
    cron: '30 2 * * *',
    gap: 'shift',
    overlap: 'first',
    match: (w) => w.hour === 2 && w.minute === 30,
  },
  {
    name: 'shift-halves',
    cron: '0,30 2-3 * * *',
    gap: 'shift',
    overlap: 'first',
    match: (w) => (w.hour === 2 || w.hour === 3) && w.minute % 30 === 0,
  },
  {
    name: 'both-0230',
    cron: '30 2 * * *',
    gap: 'skip',
    overlap: 'both',
    match: (w) => w.hour === 2 && w.minute === 30,
  },
  {
    name: 'both-20',
    cron: '*/20 2 * * *',
    gap: 'skip',
    overlap: 'both',
    match: (w) => w.hour === 2 && w.minute % 20 === 0,
  },
  {
    name: 'last-0230',
    cron: '30 2 * * *',
    gap: 'skip',
    overlap: 'last',
    match: (w) => w.hour === 2 && w.minute === 30,
  },
  {
    name: 'shift-both',
    cron: '15 2 * * *',
    gap: 'shift',
    overlap: 'both',
    match: (w) => w.hour === 2 && w.minute === 15,
  },
];

describe('proof: a simulated year in Europe/Stockholm under the DST choices', () => {
  it('runs every slot exactly once under dst_gap shift and dst_overlap both/last, with their markers', async () => {
    const start = Date.parse('2029-12-31T23:00:00.000Z');
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
    const lock = new MemoryLock({ clock });
    // Two replicas passing at the same moments.
    const replicas = [0, 1].map(
      (i) => new JobScheduler({ store, lock, registry, clock, timezone: ZONE, replicaId: `r${i}` }),
    );
    for (const s of SCHEDULES) {
      await replicas[0]?.schedules.create({
        jobName: s.name,
        cronExpression: s.cron,
        jobType: 'record',
        dstGap: s.gap,
        dstOverlap: s.overlap,
      });
    }
    for (;;) {
      const next = await store.getEarliestNextRunAt();
      if (!next || next.getTime() >= end) break;
      await clock.set(next);
      const passes = await Promise.all(replicas.map((r) => r.checkAndRunDueJobs()));
      await Promise.all(passes.map((p) => p.done));
    }
    await Promise.all(replicas.map((r) => r.idle()));

    for (const s of SCHEDULES) {
      const expected = expectedSlots(start, end, s.match, s.gap, s.overlap);
      const runs = await store.listRuns({ jobName: s.name, order: 'asc' });
      const slots = runs.map((r) => r.slot?.getTime() ?? -1).sort((a, b) => a - b);
      expect(slots).toEqual(expected);
      expect(runs.every((r) => r.status === 'succeeded' && r.trigger === 'schedule')).toBe(true);
      for (const t of expected) expect(executions.get(`${s.name}@${t}`)).toBe(1);
    }
    expect([...executions.values()].every((n) => n === 1)).toBe(true);

    const marks = async (name: string, day: string) =>
      (await store.listRuns({ jobName: name, order: 'asc' }))
        .filter((r) => r.slot?.toISOString().startsWith(day))
        .map((r) => `${r.slot?.toISOString()} ${r.dst} ${r.wallTime}`);
    // Spring forward 2030-03-31 (02:00 CET → 03:00 CEST at 01:00Z).
    expect(await marks('shift-0230', '2030-03-31')).toEqual([
      '2030-03-31T01:00:00.000Z shifted 2030-03-31T02:30',
    ]);
    expect(await marks('shift-halves', '2030-03-31')).toEqual([
      '2030-03-31T01:00:00.000Z shifted 2030-03-31T02:00',
      '2030-03-31T01:30:00.000Z null 2030-03-31T03:30',
    ]);
    // Fall back 2030-10-27 (03:00 CEST → 02:00 CET at 01:00Z).
    expect(await marks('both-0230', '2030-10-27')).toEqual([
      '2030-10-27T00:30:00.000Z first 2030-10-27T02:30',
      '2030-10-27T01:30:00.000Z second 2030-10-27T02:30',
    ]);
    expect(await marks('last-0230', '2030-10-27')).toEqual([
      '2030-10-27T01:30:00.000Z second 2030-10-27T02:30',
    ]);
    expect(await store.countRuns({ jobName: 'both-0230' })).toBe(365); // 364 days with one 02:30, one day with two
    expect(await store.countRuns({ jobName: 'shift-0230' })).toBe(365);
    expect(await store.countRuns({ jobName: 'both-20' })).toBe(3 * 364 + 6 - 3);
  }, 120_000);
});
