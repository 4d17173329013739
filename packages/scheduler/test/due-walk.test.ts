// The walk of a pass over its due list (due-walk.ts): batches re-read in one query each, claimed together after a
// line-up, a walk that ends where another replica's wake begins, leaps when it loses a batch to a walk in step, and
// enters the ring where its last walk stopped or in the middle of the longest still-due run.
import { describe, expect, it } from 'vitest';
import { LineUp, ringOrder, ringPoint, walkDue } from '../src/due-walk.js';
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
  const { left } = await walkDue({
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

  /** The order a walk from ring position 0 takes `due` in, when the locks of `held` are held by another replica. */
  async function walkAgainst(due: JobSchedule[], held: Set<number>, concurrency: number) {
    const order: number[] = [];
    await walkDue({
      due,
      concurrency,
      random: () => 0,
      stopped: () => false,
      room: () => Number.POSITIVE_INFINITY,
      reread: rereadFrom(due),
      stillDue: () => true,
      visit: async (i, _fresh, line) => {
        line.leave();
        order.push(i);
        return held.has(i) ? 'contended' : undefined;
      },
      onReadError: () => {},
    });
    return order;
  }

  it('leaps to the middle of what is left when another walk took most of a batch, and still visits everything', async () => {
    const due = schedules(64);
    const ring = ringOrder(due, () => 0);
    // Another replica holds the locks of the first batch (ring positions 0–3): each of them is contended.
    const held = new Set(ring.slice(0, 4));
    // Two workers with batches of one never hold four contended locks in a batch: no leap, the ring in order.
    expect(await walkAgainst(due, held, 2)).toEqual(ring);
    // Batches of four (concurrency 8): the first batch lost all four; the other worker's batch (4–7) was on its way.
    // Then the walk goes on from the middle of the 56 left (position 8 + 28 = 36) and takes positions 8–35 last.
    const order = await walkAgainst(due, held, 8);
    expect(new Set(order.slice(0, 8))).toEqual(new Set(ring.slice(0, 8)));
    expect(order.slice(8)).toEqual([...ring.slice(36), ...ring.slice(8, 36)]);
  });

  it('does not leap for a batch that lost fewer than most of its locks', async () => {
    const due = schedules(64);
    const ring = ringOrder(due, () => 0);
    expect(await walkAgainst(due, new Set(ring.slice(0, 2)), 8)).toEqual(ring); // two of the first batch's four
  });

  it('spreads names that differ in a digit evenly around the ring', () => {
    // Quarters of the 32-bit ring hold about a quarter of 4,000 sequential names each (FNV-1a alone clusters them).
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 4000; i++) {
      const s = createSchedule({
        jobName: `rt-${String(i).padStart(6, '0')}`,
        cronExpression: '* * * * *',
        jobType: 'noop',
      });
      const quarter = Math.floor(ringPoint(s) / 2 ** 30);
      counts[quarter] = (counts[quarter] as number) + 1;
    }
    for (const c of counts) expect(c).toBeGreaterThan(900);
  });
});

describe('where a walk enters the ring', () => {
  /** 400 schedules along the ring, and the ring positions of a listing without `claimed` (positions). */
  function listing(claimed: (pos: number) => boolean) {
    const all = schedules(400);
    const ring = ringOrder(all, () => 0);
    const listed = ring.filter((_, pos) => !claimed(pos)).map((i) => all[i] as JobSchedule);
    return { all, ring, listed };
  }

  it('goes on after where its last walk stopped, when no claimed stretch lies in between', () => {
    const { all, ring, listed } = listing((pos) => pos >= 100 && pos < 140);
    const stoppedAt = all[ring[60] as number] as JobSchedule;
    const order = ringOrder(listed, () => 0.9, ringPoint(stoppedAt));
    expect(listed[order[0] as number]).toBe(all[ring[61] as number]);
  });

  it('does not go on past a stretch claimed since its walk stopped: enters the longest still-due run in its middle', () => {
    // Claimed since: positions 100–139 (another walk) and 300–339. The walk stopped at 99, right before the first.
    const { all, ring, listed } = listing((pos) => (pos >= 100 && pos < 140) || (pos >= 300 && pos < 340));
    const order = ringOrder(listed, () => 0.9, ringPoint(all[ring[99] as number] as JobSchedule));
    // Still-due runs: 140–299 (160) and 340–99 around the ring (160): the first found of the longest, in its middle.
    const first = all.indexOf(listed[order[0] as number] as JobSchedule);
    expect([ring[220], ring[20]]).toContain(first);
    // Every listed schedule once.
    expect([...order].sort((a, b) => a - b)).toEqual(Array.from({ length: listed.length }, (_, i) => i));
  });

  it('enters a list with claimed gaps in the middle of its longest still-due run', () => {
    // Another walk claimed 0–49; the longest still-due run is 50–399: its middle is 50 + 175 = 225.
    const { all, ring, listed } = listing((pos) => pos < 50);
    const order = ringOrder(listed, () => 0);
    expect(listed[order[0] as number]).toBe(all[ring[225] as number]);
  });

  it('enters a list without claimed gaps at a random point', () => {
    const { all, ring, listed } = listing(() => false);
    expect(listed[ringOrder(listed, () => 0.5)[0] as number]).toBe(all[ring[200] as number]);
    expect(listed[ringOrder(listed, () => 0.25)[0] as number]).toBe(all[ring[100] as number]);
  });
});
