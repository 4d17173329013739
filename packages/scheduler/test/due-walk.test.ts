// The walk of a pass over its due list (due-walk.ts): batches re-read in one query each, claimed together after a
// line-up, and a walk that ends where another replica's wake begins.
import { describe, expect, it } from 'vitest';
import { LineUp, ringOrder, walkDue } from '../src/due-walk.js';
import { createSchedule, type JobSchedule } from '../src/index.js';

const schedules = (n: number): JobSchedule[] =>
  Array.from({ length: n }, (_, i) =>
    createSchedule({ jobName: `s-${i}`, cronExpression: '* * * * *', jobType: 'noop' }),
  );

/** A re-read that answers every name asked from `due`, counting its queries in `reads.count`. */
const rereadFrom =
  (due: JobSchedule[], reads = { count: 0 }) =>
  async (names: string[]) => {
    reads.count++;
    return new Map(names.map((n) => [n, due.find((s) => s.jobName === n) as JobSchedule]));
  };

/**
 * A walk (concurrency 8: two workers, batches of 4, from ring position 0) on a replica with room for `slots`
 * handlers, where every claimed schedule's run keeps its slot for the rest of the walk.
 */
async function walkWithRoom(due: JobSchedule[], slots: number) {
  const visited: number[] = [];
  const reads = { count: 0 };
  const left = await walkDue({
    due,
    concurrency: 8,
    random: () => 0,
    stopped: () => false,
    room: () => slots - visited.length,
    reread: rereadFrom(due, reads),
    stillDue: () => true,
    visit: async (i, _fresh, line) => {
      await line.arrive();
      visited.push(i);
    },
    onReadError: () => {},
  });
  return { left, visited, reads };
}

describe('the line-up of a batch', () => {
  it('lets the arrived go on together once every participant arrived or left', async () => {
    const line = new LineUp(3);
    const gone: string[] = [];
    const a = line.arrive().then(() => gone.push('a'));
    const b = line.arrive().then(() => gone.push('b'));
    await Promise.resolve();
    expect(gone).toEqual([]);
    line.leave();
    await Promise.all([a, b]);
    expect(gone.sort()).toEqual(['a', 'b']);
  });
});

describe('walking the due list', () => {
  it('is the same ring on every replica, entered at the random point', () => {
    const due = schedules(10);
    const a = ringOrder(due, () => 0);
    const b = ringOrder([...due].reverse(), () => 0).map((i) => 9 - i);
    expect(a).toEqual(b);
    const c = ringOrder(due, () => 0.5);
    expect(c).toEqual([...a.slice(5), ...a.slice(0, 5)]);
  });

  it('visits every still-due schedule once, re-reading a batch per query', async () => {
    const due = schedules(40);
    const visited: number[] = [];
    const reads = { count: 0 };
    await walkDue({
      due,
      concurrency: 8,
      random: () => 0.3,
      stopped: () => false,
      room: () => Number.POSITIVE_INFINITY,
      reread: rereadFrom(due, reads),
      stillDue: () => true,
      visit: async (i, fresh, line) => {
        expect(fresh?.jobName).toBe(due[i]?.jobName);
        await line.arrive();
        visited.push(i);
      },
      onReadError: () => {},
    });
    expect(visited.sort((x, y) => x - y)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(reads.count).toBe(10); // batches of 4 (concurrency 8, two workers)
  });

  it("ends where another replica's wake begins (a whole batch already claimed)", async () => {
    const due = schedules(40);
    const ring = ringOrder(due, () => 0);
    // Another replica started at ring position 12 and claimed everything from there.
    const claimed = new Set(ring.slice(12).map((i) => (due[i] as JobSchedule).jobName));
    const visited: number[] = [];
    const reads = { count: 0 };
    await walkDue({
      due,
      concurrency: 8,
      random: () => 0,
      stopped: () => false,
      room: () => Number.POSITIVE_INFINITY,
      reread: rereadFrom(due, reads),
      stillDue: (listed) => !claimed.has(listed.jobName),
      visit: async (i, _fresh, line) => {
        await line.arrive();
        visited.push(i);
      },
      onReadError: () => {},
    });
    expect(visited.sort((x, y) => x - y)).toEqual(ring.slice(0, 12).sort((x, y) => x - y));
    expect(reads.count).toBeLessThanOrEqual(5); // 3 batches of due ones, then the wake (each worker sees it once)
  });

  it('a visit that fails leaves the line-up, so the others are not kept waiting', async () => {
    const due = schedules(4);
    const visited: number[] = [];
    await walkDue({
      due,
      concurrency: 8,
      random: () => 0,
      stopped: () => false,
      room: () => Number.POSITIVE_INFINITY,
      reread: rereadFrom(due),
      stillDue: () => true,
      visit: async (i, _fresh, line) => {
        if (i === 2) throw new Error('boom');
        await line.arrive();
        visited.push(i);
      },
      onReadError: () => {},
    }).catch(() => {});
    expect(visited.sort()).toEqual([0, 1, 3]);
  });

  it('re-reads nothing more once the replica is full: the rest is answered deferred, unread', async () => {
    const due = schedules(40);
    const ring = ringOrder(due, () => 0);
    // Room for six handlers: a claim's run keeps its slot for the rest of the walk.
    const { left, visited, reads } = await walkWithRoom(due, 6);
    // Both workers read a batch of 4 (the second while the first one's four claims left room for two); then the
    // replica was full and the other 32 were never read.
    expect(reads.count).toBe(2);
    expect(visited).toHaveLength(8);
    expect(left).toEqual(ring.slice(8));
    expect([...visited, ...left].sort((x, y) => x - y)).toEqual(Array.from({ length: 40 }, (_, i) => i));
  });

  it("does not read a batch while the other worker's claims will fill the replica", async () => {
    const { left, visited, reads } = await walkWithRoom(schedules(40), 4);
    // Room for four: one batch of four was read and claimed, the second worker read nothing.
    expect(reads.count).toBe(1);
    expect(visited).toHaveLength(4);
    expect(left).toHaveLength(36);
  });
});
