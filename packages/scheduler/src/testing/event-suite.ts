import { compareEventCursors, eventCursor, laterCursor } from '../events/cursor.js';
import type { Clock, EventCursor, EventLogStore, JobEvent, NewJobEvent } from '../types.js';
import { makeTime, type SuiteTestApi, type SuiteTime, type TimeOptions } from './types.js';

/** Options of {@link eventLogSuite}. */
export interface EventLogSuiteOptions extends TimeOptions {
  /** Returns a fresh, empty event log for one test, stamping and judging time by `ctx.clock` in `fake` mode. */
  createEventLog(ctx: { clock: Clock }): EventLogStore | Promise<EventLogStore>;
  /** Called after each test with the log it used (close connections, drop the collection). */
  destroyEventLog?(log: EventLogStore): void | Promise<void>;
}

let counter = 0;

/** An event for tests; ids increase with each call (as one writer's do). */
export function sampleEvent(fields: Partial<NewJobEvent> = {}): NewJobEvent {
  const n = counter++;
  return {
    id: `t${Date.now().toString(36)}${n.toString(36).padStart(8, '0')}`,
    type: 'run:started',
    jobName: 'nightly',
    runId: `run-${n}`,
    data: { run_id: `run-${n}`, status: 'running', attempt: 1, nested: { list: [1, 'two', null] } },
    ...fields,
  };
}

/** Every event, read page by page as a reader does: after the last event of a full page, else from the horizon. */
async function readAll(
  log: EventLogStore,
  options: { settleMs?: number; limit?: number } = {},
): Promise<JobEvent[]> {
  const out: JobEvent[] = [];
  const limit = options.limit ?? 1000;
  let after: EventCursor | null = null;
  for (;;) {
    const page = await log.readEvents({ after, limit, settleMs: options.settleMs ?? 0 });
    if (page.events.length === 0) return out;
    out.push(...page.events);
    const last = eventCursor(page.events.at(-1) as JobEvent);
    after = page.events.length >= limit ? last : laterCursor(last, { at: page.horizon, id: null });
  }
}

/**
 * The conformance suite of {@link EventLogStore}: ordering by (store clock, id), idempotent appends, positions,
 * the settle time and the horizon, retention. `MemoryStore` and `@craft/mongo`'s store run it.
 */
export function eventLogSuite(api: SuiteTestApi, options: EventLogSuiteOptions): void {
  const { describe, it, expect } = api;
  const real = options.time === 'real';
  // A step of the log's clock that is surely visible in its stamps (real time: the server's clock, over the network).
  const step = real ? 60 : 10;
  const withLog = (fn: (log: EventLogStore, time: SuiteTime) => Promise<void>) => async () => {
    const time = makeTime(options);
    const log = await options.createEventLog({ clock: time.clock });
    try {
      await fn(log, time);
    } finally {
      await options.destroyEventLog?.(log);
    }
  };

  describe('EventLogStore', () => {
    it(
      'round-trips every field, stamps `at` by its own clock and returns copies',
      withLog(async (log, time) => {
        const e = sampleEvent({ type: 'schedule:created', runId: null, jobName: 'a' });
        const before = time.clock.now();
        await log.appendEvents([e]);
        const [read] = (await log.readEvents({ limit: 10 })).events;
        expect(read?.id).toBe(e.id);
        expect(read?.type).toBe('schedule:created');
        expect(read?.jobName).toBe('a');
        expect(read?.runId).toBeNull();
        expect(read?.data).toEqual(e.data);
        expect(read?.at instanceof Date).toBe(true);
        if (!real) expect(read?.at.getTime()).toBe(before);
        (read as JobEvent).data['status'] = 'changed';
        const [again] = (await log.readEvents({ limit: 10 })).events;
        expect(again?.data['status']).toBe('running');
      }),
    );

    it(
      'reads a batch back in the order it was appended, `at` never decreasing',
      withLog(async (log, time) => {
        const first = Array.from({ length: 30 }, () => sampleEvent());
        await log.appendEvents(first);
        await time.advance(step);
        const second = Array.from({ length: 30 }, () => sampleEvent());
        await log.appendEvents(second);
        const read = await readAll(log);
        expect(read.map((e) => e.id)).toEqual([...first, ...second].map((e) => e.id));
        for (let i = 1; i < read.length; i++) {
          expect(
            compareEventCursors(eventCursor(read[i - 1] as JobEvent), eventCursor(read[i] as JobEvent)),
          ).toBeLessThan(0);
        }
        expect((read[30] as JobEvent).at.getTime()).toBeGreaterThan((read[29] as JobEvent).at.getTime());
      }),
    );

    it(
      'skips an id it already stores and keeps its first stamp (a retried append is not duplicated nor moved)',
      withLog(async (log, time) => {
        const a = sampleEvent();
        const b = sampleEvent();
        await log.appendEvents([a]);
        const [stored] = (await log.readEvents({ limit: 10 })).events;
        await time.advance(step * 2);
        await log.appendEvents([a, b]);
        const read = await readAll(log);
        expect(read.map((e) => e.id)).toEqual([a.id, b.id]);
        expect(read[0]?.at.getTime()).toBe(stored?.at.getTime());
      }),
    );

    it(
      'reads strictly after a position; an id-less position is after every event of its millisecond',
      withLog(async (log, time) => {
        const events = Array.from({ length: 5 }, () => sampleEvent());
        await log.appendEvents(events.slice(0, 3));
        await time.advance(step);
        await log.appendEvents(events.slice(3));
        const all = await readAll(log);
        const third = all[2] as JobEvent;
        const after = await log.readEvents({ after: eventCursor(third), limit: 10 });
        expect(after.events.map((e) => e.id)).toEqual(events.slice(3).map((e) => e.id));
        const second = all[1] as JobEvent;
        const sameMs = await log.readEvents({ after: { at: second.at, id: null }, limit: 10 });
        expect(sameMs.events.every((e) => e.at.getTime() > second.at.getTime())).toBe(true);
        expect(sameMs.events.map((e) => e.id)).toEqual(
          all.filter((e) => e.at.getTime() > second.at.getTime()).map((e) => e.id),
        );
      }),
    );

    it(
      'pages with `limit` so that every event is read exactly once',
      withLog(async (log, time) => {
        const ids: string[] = [];
        for (let i = 0; i < 4; i++) {
          const batch = Array.from({ length: 7 }, () => sampleEvent());
          ids.push(...batch.map((e) => e.id));
          await log.appendEvents(batch);
          if (i % 2 === 1) await time.advance(step);
        }
        expect((await readAll(log, { limit: 3 })).map((e) => e.id)).toEqual(ids);
      }),
    );

    it(
      'holds back events younger than settleMs and returns the horizon: every event at or before it is visible',
      withLog(async (log, time) => {
        const settleMs = real ? 400 : 1000;
        const old = sampleEvent();
        await log.appendEvents([old]);
        await time.advance(settleMs + step);
        const young = sampleEvent();
        await log.appendEvents([young]);
        const page = await log.readEvents({ limit: 10, settleMs });
        expect(page.events.map((e) => e.id)).toEqual([old.id]);
        const youngAt = (await readAll(log)).find((e) => e.id === young.id)?.at.getTime() ?? 0;
        expect(page.horizon.getTime()).toBeLessThan(youngAt);
        expect(page.horizon.getTime()).toBeGreaterThanOrEqual(page.events[0]?.at.getTime() ?? 0);
        if (!real) expect(page.horizon.getTime()).toBe(time.clock.now() - settleMs);
        await time.advance(settleMs + step);
        const later = await log.readEvents({
          after: eventCursor(page.events[0] as JobEvent),
          limit: 10,
          settleMs,
        });
        expect(later.events.map((e) => e.id)).toEqual([young.id]);
        expect(later.horizon.getTime()).toBeGreaterThanOrEqual(youngAt);
      }),
    );

    it(
      'returns a horizon also when nothing matches (an empty log, or a window with no events)',
      withLog(async (log, time) => {
        const empty = await log.readEvents({ limit: 5, settleMs: 500 });
        expect(empty.events).toEqual([]);
        expect(empty.horizon instanceof Date).toBe(true);
        if (!real) expect(empty.horizon.getTime()).toBe(time.clock.now() - 500);
        await log.appendEvents([sampleEvent()]);
        // Nothing is both older than the settle time and younger than maxAgeMs = settleMs.
        const none = await log.readEvents({ limit: 5, settleMs: 500, maxAgeMs: 500 });
        expect(none.events).toEqual([]);
      }),
    );

    it(
      'ignores events older than maxAgeMs by its own clock',
      withLog(async (log, time) => {
        const old = sampleEvent();
        await log.appendEvents([old]);
        await time.advance(real ? 500 : 60_000);
        const recent = sampleEvent();
        await log.appendEvents([recent]);
        const page = await log.readEvents({ limit: 10, maxAgeMs: real ? 300 : 30_000 });
        expect(page.events.map((e) => e.id)).toEqual([recent.id]);
      }),
    );

    it(
      'deletes events older than olderThanMs, reports how many, and moves the oldest position',
      withLog(async (log, time) => {
        expect(await log.oldestEventCursor()).toBeNull();
        const old = [sampleEvent(), sampleEvent()];
        await log.appendEvents(old);
        const oldest = await log.oldestEventCursor();
        expect(oldest?.id).toBe(old[0]?.id);
        await time.advance(real ? 500 : 60_000);
        const recent = sampleEvent();
        await log.appendEvents([recent]);
        expect(await log.deleteEvents({ olderThanMs: real ? 300 : 30_000 })).toBe(2);
        expect((await readAll(log)).map((e) => e.id)).toEqual([recent.id]);
        expect((await log.oldestEventCursor())?.id).toBe(recent.id);
        expect(await log.deleteEvents({ olderThanMs: real ? 300 : 30_000 })).toBe(0);
      }),
    );

    it(
      'interleaved appends of two writers read back once each, in one order for every reader',
      withLog(async (log, time) => {
        const a = Array.from({ length: 20 }, (_, i) =>
          sampleEvent({ id: `a${String(i).padStart(4, '0')}x${counter++}` }),
        );
        const b = Array.from({ length: 20 }, (_, i) =>
          sampleEvent({ id: `b${String(i).padStart(4, '0')}x${counter++}` }),
        );
        for (let i = 0; i < 20; i += 5) {
          await Promise.all([log.appendEvents(a.slice(i, i + 5)), log.appendEvents(b.slice(i, i + 5))]);
          if (i === 10) await time.advance(step);
        }
        const one = await readAll(log, { limit: 4 });
        const two = await readAll(log, { limit: 7 });
        expect(one.map((e) => e.id)).toEqual(two.map((e) => e.id));
        expect(new Set(one.map((e) => e.id)).size).toBe(40);
        // Each writer's events keep their order.
        const order = one.map((e) => e.id);
        expect(order.filter((id) => id.startsWith('a'))).toEqual(a.map((e) => e.id));
        expect(order.filter((id) => id.startsWith('b'))).toEqual(b.map((e) => e.id));
      }),
    );
  });
}
