// Following the event log: one poller for many subscribers, resumption by Last-Event-ID, resets, filters (spec §12).
import { describe, expect, it } from 'vitest';
import {
  EventFeed,
  type EventLogStore,
  EventLogWriter,
  eventFilter,
  FakeClock,
  formatEventCursor,
  type JobEvent,
  MemoryStore,
} from '../src/index.js';

const START = Date.parse('2030-03-04T09:00:00.000Z');
const DAY = 86_400_000;

function world() {
  const clock = new FakeClock(START);
  const store = new MemoryStore({ clock });
  let reads = 0;
  const counted: EventLogStore = {
    appendEvents: (e) => store.appendEvents(e),
    readEvents: (q) => {
      reads++;
      return store.readEvents(q);
    },
    deleteEvents: (f) => store.deleteEvents(f),
    oldestEventCursor: () => store.oldestEventCursor(),
  };
  const feed = new EventFeed({ store: counted, clock, pollIntervalMs: 250, settleMs: 1000 });
  // Two replicas' writers on one store.
  const a = new EventLogWriter({ store, clock, flushIntervalMs: 100 });
  const b = new EventLogWriter({ store, clock, flushIntervalMs: 100 });
  return { clock, store, feed, a, b, reads: () => reads };
}

/** A sink that records what it gets. */
function recorder() {
  const got: { id: string; event: JobEvent }[] = [];
  const ended: string[] = [];
  return {
    got,
    ended,
    types: () => got.map((g) => g.event.type),
    sink: {
      event(event: JobEvent, id: string) {
        got.push({ id, event });
        return true;
      },
      end(reason: 'closed' | 'slow') {
        ended.push(reason);
      },
    },
  };
}

describe('EventFeed', () => {
  it('delivers events of every writer once, in log order, after the settle time; from now means from now', async () => {
    const w = world();
    w.a.push('before', null, null, {});
    await w.clock.advance(2000);
    const start = await w.feed.resolveStart();
    expect(start.reset).toBeNull();
    const r = recorder();
    w.feed.subscribe(start.cursor, r.sink);
    w.a.push('a1', 'x', null, {});
    w.b.push('b1', 'y', null, {});
    await w.clock.advance(100); // flushed
    await w.clock.advance(750);
    expect(r.got).toEqual([]); // younger than the settle time
    await w.clock.advance(500);
    expect(r.types().sort()).toEqual(['a1', 'b1']);
    w.b.push('b2', 'y', null, {});
    w.a.push('a2', 'x', null, {});
    await w.clock.advance(1500);
    expect(r.types().slice(2).sort()).toEqual(['a2', 'b2']);
    // Ids are positions: strictly increasing.
    const stored = (await w.store.readEvents({ limit: 100 })).events.map((e) => e.type);
    expect(r.types()).toEqual(stored.filter((t) => t !== 'before'));
    expect(new Set(r.got.map((g) => g.id)).size).toBe(4);
    await w.feed.close();
    expect(r.ended).toEqual(['closed']);
  });

  it('resumes after a Last-Event-ID with exactly the events that came after it', async () => {
    const w = world();
    const r1 = recorder();
    const sub = w.feed.subscribe((await w.feed.resolveStart()).cursor, r1.sink);
    for (let i = 0; i < 3; i++) w.a.push(`e${i}`, null, null, {});
    await w.clock.advance(1500);
    expect(r1.types()).toEqual(['e0', 'e1', 'e2']);
    const last = r1.got.at(-1)?.id as string;
    sub.close(); // the client disconnects
    for (let i = 3; i < 8; i++) (i % 2 ? w.a : w.b).push(`e${i}`, null, null, {});
    await w.clock.advance(3000);
    const r2 = recorder();
    const start = await w.feed.resolveStart({ lastEventId: last });
    expect(start.reset).toBeNull();
    w.feed.subscribe(start.cursor, r2.sink);
    w.a.push('e8', null, null, {});
    await w.clock.advance(1500);
    expect(r2.types().sort()).toEqual(['e3', 'e4', 'e5', 'e6', 'e7', 'e8']);
    await w.feed.close();
  });

  it('a subscriber catching up from an old position joins live subscribers without a gap or a duplicate', async () => {
    const w = world();
    const first = recorder();
    w.feed.subscribe((await w.feed.resolveStart()).cursor, first.sink);
    for (let i = 0; i < 1200; i++) w.a.push(`e${i}`, null, null, { i });
    await w.clock.advance(1500);
    expect(first.got).toHaveLength(1200);
    const resumeAt = first.got[99]?.id as string;
    const late = recorder();
    const start = await w.feed.resolveStart({ lastEventId: resumeAt });
    w.feed.subscribe(start.cursor, late.sink);
    // Events keep coming while it catches up.
    for (let i = 1200; i < 1300; i++) w.b.push(`e${i}`, null, null, { i });
    await w.clock.advance(3000);
    expect(late.got.map((g) => g.event.data['i'])).toEqual(Array.from({ length: 1200 }, (_, k) => k + 100));
    expect(first.got).toHaveLength(1300);
    await w.feed.close();
  });

  it('a subscriber whose catch-up read ran ahead of the poller gets no event twice', async () => {
    const w = world();
    const first = recorder();
    w.feed.subscribe((await w.feed.resolveStart()).cursor, first.sink); // polls at +0, +250, +500, …
    w.a.push('e0', null, null, {});
    await w.clock.advance(1500);
    const e0 = first.got[0]?.id as string;
    w.a.push('e1', null, null, {}); // stamped at +1600
    await w.clock.advance(1000 + 100 + 40); // +2640: the poller last read at +2500 (horizon +1500)
    const second = recorder();
    // Its own read (horizon +1640) already includes e1; the poller's next read (+2750) includes it too.
    w.feed.subscribe((await w.feed.resolveStart({ lastEventId: e0 })).cursor, second.sink);
    await w.clock.advance(1000);
    expect(second.types()).toEqual(['e1']);
    expect(first.types()).toEqual(['e0', 'e1']);
    await w.feed.close();
  });

  it('an append that becomes visible after its stamp (within the settle time) is not skipped; without settling it would be', async () => {
    // A log whose appends are stamped at once; a `slow` one becomes visible only 800 ms later (a write in flight).
    const laggy = (clock: FakeClock) => {
      const inner = new MemoryStore({ clock });
      const pending: { visibleAt: number; event: JobEvent }[] = [];
      const visible: JobEvent[] = [];
      const settle = () => {
        for (const p of pending.splice(0)) {
          if (p.visibleAt <= clock.now()) visible.push(p.event);
          else pending.push(p);
        }
        visible.sort((x, y) => x.at.getTime() - y.at.getTime() || (x.id < y.id ? -1 : 1));
      };
      const store: EventLogStore = {
        appendEvents: async (events) => {
          const lag = events[0]?.type === 'slow' ? 800 : 0;
          for (const e of events)
            pending.push({ visibleAt: clock.now() + lag, event: { ...e, at: new Date(clock.now()) } });
        },
        readEvents: async (q) => {
          settle();
          const horizon = clock.now() - (q.settleMs ?? 0);
          const after = q.after;
          const events = visible
            .filter((e) => e.at.getTime() <= horizon)
            .filter(
              (e) =>
                !after ||
                e.at > after.at ||
                (e.at.getTime() === after.at.getTime() && after.id !== null && e.id > after.id),
            )
            .slice(0, q.limit);
          return { events, horizon: new Date(horizon) };
        },
        deleteEvents: (f) => inner.deleteEvents(f),
        oldestEventCursor: async () => null,
      };
      return store;
    };
    const run = async (settleMs: number) => {
      const clock = new FakeClock(START);
      const store = laggy(clock);
      const feed = new EventFeed({ store, clock, settleMs, pollIntervalMs: 100 });
      const r = recorder();
      feed.subscribe((await feed.resolveStart()).cursor, r.sink);
      await clock.advance(50);
      await store.appendEvents([{ id: 'a0001', type: 'slow', jobName: null, runId: null, data: {} }]);
      await clock.advance(300);
      await store.appendEvents([{ id: 'b0001', type: 'fast', jobName: null, runId: null, data: {} }]);
      await clock.advance(3000);
      await feed.close();
      return r.types();
    };
    expect(await run(1000)).toEqual(['slow', 'fast']);
    // Counter-check: with no settle time, the later stamp is delivered first and the earlier one is then skipped.
    expect(await run(0)).toEqual(['fast']);
  });

  it('answers a reset for an id older than the retention, a deleted event, garbage and an id from the future', async () => {
    const w = world();
    w.a.push('old', null, null, {});
    await w.clock.advance(2000);
    const r = recorder();
    w.feed.subscribe({ at: new Date(0), id: null }, r.sink);
    await w.clock.advance(300);
    const oldId = r.got[0]?.id as string;
    await w.feed.close();
    const feed = new EventFeed({ store: w.store, clock: w.clock });
    expect((await feed.resolveStart({ lastEventId: oldId })).reset).toBeNull();
    expect((await feed.resolveStart({ lastEventId: 'not-an-id' })).reset).toEqual({
      reason: 'invalid',
      lastEventId: 'not-an-id',
    });
    const future = formatEventCursor({ at: new Date(START + DAY), id: 'abc' });
    expect((await feed.resolveStart({ lastEventId: future })).reset?.reason).toBe('unknown');
    // Its event deleted (a shorter retention somewhere): the log no longer reaches back to it.
    await w.clock.advance(60_000);
    w.a.push('newer', null, null, {});
    await w.clock.advance(200);
    await w.store.deleteEvents({ olderThanMs: 30_000 });
    expect((await feed.resolveStart({ lastEventId: oldId })).reset?.reason).toBe('expired');
    // Older than 7 days.
    await w.clock.advance(8 * DAY);
    const stale = formatEventCursor({ at: new Date(START + 1000), id: null });
    const start = await feed.resolveStart({ lastEventId: stale });
    expect(start.reset?.reason).toBe('expired');
    expect(start.cursor.at.getTime()).toBe(w.clock.now() - 1000);
  });

  it('starts after `since`, but never before the retention', async () => {
    const w = world();
    w.a.push('day0', null, null, {});
    await w.clock.advance(DAY);
    w.a.push('day1', null, null, {});
    await w.clock.advance(2000);
    const r = recorder();
    w.feed.subscribe((await w.feed.resolveStart({ since: new Date(START + DAY - 1) })).cursor, r.sink);
    await w.clock.advance(300);
    expect(r.types()).toEqual(['day1']);
    const start = await w.feed.resolveStart({ since: new Date(0) });
    expect(start.cursor.at.getTime()).toBe(w.clock.now() - 7 * DAY);
    await w.feed.close();
  });

  it('filters by job name and type; the position still moves past what it filtered out', async () => {
    const w = world();
    const r = recorder();
    const sub = w.feed.subscribe(
      (await w.feed.resolveStart()).cursor,
      r.sink,
      eventFilter({ jobName: 'x', types: ['run:failed', 'run:succeeded'] }),
    );
    w.a.push('run:started', 'x', null, {});
    w.a.push('run:failed', 'x', null, {});
    w.a.push('run:failed', 'y', null, {});
    w.a.push('run:succeeded', 'x', null, {});
    await w.clock.advance(1500);
    expect(r.got.map((g) => `${g.event.type} ${g.event.jobName}`)).toEqual([
      'run:failed x',
      'run:succeeded x',
    ]);
    expect(sub.cursor.at.getTime()).toBe(w.clock.now() - 1000);
    await w.feed.close();
  });

  it('polls once for any number of subscribers', async () => {
    const w = world();
    const start = (await w.feed.resolveStart()).cursor;
    const sinks = Array.from({ length: 20 }, () => recorder());
    for (const r of sinks) w.feed.subscribe(start, r.sink);
    await w.clock.advance(250);
    const before = w.reads();
    w.a.push('x', null, null, {});
    await w.clock.advance(2500); // 10 poll intervals
    expect(w.reads() - before).toBeLessThanOrEqual(11);
    for (const r of sinks) expect(r.types()).toEqual(['x']);
    await w.feed.close();
  });

  it('drops a subscriber whose sink refuses more (a slow client) and keeps serving the others', async () => {
    const w = world();
    const start = (await w.feed.resolveStart()).cursor;
    const ok = recorder();
    const slowEnded: string[] = [];
    let n = 0;
    w.feed.subscribe(start, {
      event: () => ++n < 2,
      end: (reason) => slowEnded.push(reason),
    });
    w.feed.subscribe(start, ok.sink);
    for (let i = 0; i < 3; i++) w.a.push(`e${i}`, null, null, {});
    await w.clock.advance(1500);
    expect(slowEnded).toEqual(['slow']);
    expect(ok.types()).toEqual(['e0', 'e1', 'e2']);
    expect(w.feed.size).toBe(1);
    await w.feed.close();
  });

  it('stops polling when the last subscriber leaves, and keeps going through read failures', async () => {
    const w = world();
    let failing = false;
    let reads = 0;
    const feed = new EventFeed({
      store: {
        appendEvents: (e) => w.store.appendEvents(e),
        readEvents: async (q) => {
          reads++;
          if (failing) throw new Error('down');
          return w.store.readEvents(q);
        },
        deleteEvents: (f) => w.store.deleteEvents(f),
        oldestEventCursor: () => w.store.oldestEventCursor(),
      },
      clock: w.clock,
    });
    const r = recorder();
    const sub = feed.subscribe((await feed.resolveStart()).cursor, r.sink);
    failing = true;
    w.a.push('during', null, null, {});
    await w.clock.advance(3000);
    failing = false;
    await w.clock.advance(10_000);
    expect(r.types()).toEqual(['during']);
    sub.close();
    await w.clock.advance(1000);
    const after = reads;
    await w.clock.advance(10_000);
    expect(reads).toBe(after);
  });
});
