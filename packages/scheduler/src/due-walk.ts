// How a pass walks its due list (issue "Scale": replicas that share the work, no claim storms):
// - The order is a ring every replica agrees on (a hash of the name), walked in the same direction by all, so one
//   reaches a stretch another walked only after that one claimed it. Where a walk enters it (ringOrder): where this
//   replica's last walk stopped inside its stretch (its carried list grew too old, pass.ts); else, when the list shows
//   stretches claimed since (gaps in the ring: it was listed while other walks go on), in the middle of the longest
//   still-due run between two of them — its first half is the walk heading into it, the second this one's; else at a
//   random point (replicas listing at the same moment start at different points).
// - Two workers each take the next few schedules of the ring (half the claim concurrency), re-read them in ONE query
//   ("still due?", and the claim's input) instead of one read each, and claim them at once, while the read is fresh.
//   A batch whose schedules were all claimed since the listing means the
//   walk reached another replica's wake: the rest of the ring from there is that replica's, so the walk ends (what
//   it leaves is still due for the next pass, never lost).
// - A batch that loses most of its lock acquires to locks held elsewhere means another replica claims the same
//   stretch at the same moment: the two walks are in step, and side by side they would split every batch ahead (each
//   batch's writes then cost twice). The walk that lost leaps: it takes the rest of its list from the middle on, and
//   the first half after it (the stretch the winner is walking) last. Only the loser leaps (two walks racing for one
//   batch cannot both lose most of it), so the stretch it leaps over is always in front of a walk that goes on
//   through it; and nothing is dropped from the leaper's own list either: the same schedules, in another order.
// - While the replica runs as many handlers as it may (counting the claims the walk is making), no batch is re-read:
//   the rest of the walk is deferred as it stands (it would only be read to be deferred), still due for a later
//   pass or another replica. The next pass walks that rest on, in order, without listing again (pass.ts,
//   `DueCarry`).
// A claim from a re-read that went stale stays exactly-once anyway (run keys and the compare-and-set of next_run_at,
// see claim.ts): the walk only decides what costs how many round trips.
import type { JobSchedule } from './model.js';

/** Due schedules re-read per query (and claimed at once) by one worker, at most. */
export const REREAD_BATCH = 16;

/** Contended locks in one batch, at least, for a walk to leap (two or three could be long runs of earlier slots). */
const LEAP_EVIDENCE = 4;

/**
 * FNV-1a of a string, then MurmurHash3's finaliser: the same on every replica, and spread evenly over 32 bits even for
 * names that differ in a digit or two (FNV-1a alone leaves such names in clusters, which would read as claimed gaps).
 */
function nameHash(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * A gap between two neighbours of the ring larger than this many times the median gap is a stretch claimed since
 * (see {@link ringOrder}). Gaps between uniform hashes are exponential: one above 20 medians (about 14 means) turns
 * up by chance about once in a million gaps; a claimed batch of 16 leaves one of about 17 means.
 */
const CLAIMED_GAP = 20;

/** Due lists shorter than this are entered at a random point or the frontier: too few gaps to tell claimed ones. */
const GAPS_READ_FROM = 4 * REREAD_BATCH;

/**
 * Indexes of `due` along the shared ring, from the point a walk should enter it (see the file comment):
 * - `from` (where this replica's last walk stopped, {@link WalkEnd.frontier}): the first schedule after it, when no
 *   stretch claimed since lies in between — the walk goes on through its own stretch;
 * - otherwise, when the list has gaps left by stretches claimed since (listed again while other walks go on): the
 *   middle of the longest run of still-due schedules between two such gaps — the walk heading into that run from its
 *   start keeps the first half, this one takes the second;
 * - otherwise a random point.
 */
export function ringOrder(
  due: readonly JobSchedule[],
  random: () => number,
  from: number | null = null,
): number[] {
  const hashes = due.map((s) => nameHash(s.jobName));
  const ring = Array.from({ length: due.length }, (_, i) => i).sort(
    (a, b) => (hashes[a] as number) - (hashes[b] as number) || a - b,
  );
  const start = entryPoint(
    ring.map((i) => hashes[i] as number),
    random,
    from,
  );
  return [...ring.slice(start), ...ring.slice(0, start)];
}

/** The ring position to enter at (see {@link ringOrder}); `sorted`: the ring's hashes in ascending order. */
function entryPoint(sorted: readonly number[], random: () => number, from: number | null): number {
  const n = sorted.length;
  if (n < 3) return Math.floor(random() * n);
  // gaps[k]: from position k to the next one, around the ring.
  const gaps = sorted.map((h, k) =>
    k + 1 < n ? (sorted[k + 1] as number) - h : 2 ** 32 - h + (sorted[0] as number),
  );
  const median = [...gaps].sort((a, b) => a - b)[n >> 1] as number;
  const claimed = (gap: number) => gap > CLAIMED_GAP * Math.max(1, median);
  if (from !== null) {
    // The first position after `from`, and the gap from `from` to it (no claimed stretch in between: go on there).
    let k = sorted.findIndex((h) => h > from);
    if (k < 0) k = 0;
    const gap = ((sorted[k] as number) - from + 2 ** 32) % 2 ** 32;
    if (!claimed(gap)) return k;
  }
  // Runs of still-due positions between claimed gaps: enter the longest in its middle.
  const cuts = n < GAPS_READ_FROM ? [] : gaps.flatMap((g, k) => (claimed(g) ? [k] : []));
  if (cuts.length === 0) return Math.floor(random() * n);
  let best = 0;
  let bestStart = 0;
  cuts.forEach((cut, j) => {
    const nextCut = cuts[(j + 1) % cuts.length] as number;
    const length = (nextCut - cut + n) % n || n;
    if (length > best) {
      best = length;
      bestStart = (cut + 1) % n;
    }
  });
  return (bestStart + Math.floor(best / 2)) % n;
}

/** The ring point of a schedule (where a walk stopped, see {@link WalkEnd.frontier}). */
export function ringPoint(schedule: JobSchedule): number {
  return nameHash(schedule.jobName);
}

/** How a walk ended (see {@link walkDue}). */
export interface WalkEnd {
  /** Indexes of `due` left unvisited because the replica was full (deferred, still due). */
  left: number[];
  /**
   * The ring point of the last schedule the walk took, when the walk stopped inside its stretch (the replica was
   * full, or it was stopped): the next walk that lists again goes on from there. Null when the walk reached the end
   * of its list or another replica's wake.
   */
  frontier: number | null;
}

/** A visit's place in its batch's line-up (see {@link DueWalk.visit}). */
export interface BatchLine {
  /** Waits until every other visit of the batch arrived or left. */
  arrive(): Promise<void>;
  /** Leaves the line without waiting. */
  leave(): void;
}

/** What {@link walkDue} needs from the pass. */
export interface DueWalk {
  due: readonly JobSchedule[];
  /** `due` is in walk order already (the rest of an earlier walk): walked as given, not along a new ring. */
  inOrder?: boolean;
  /** Where this replica's last walk stopped ({@link WalkEnd.frontier}): the ring is entered there (see ringOrder). */
  from?: number | null;
  /** Schedules claimed concurrently. */
  concurrency: number;
  random: () => number;
  stopped(): boolean;
  /** How many more handlers the replica may run now (its free run slots; 0 or less: it is full). */
  room(): number;
  /** The schedules named, as stored now (one query). Throws on a store error (the batch is then skipped). */
  reread(names: string[]): Promise<Map<string, JobSchedule>>;
  /** Whether a listed schedule, as re-read (undefined: gone), is still to be visited. */
  stillDue(listed: JobSchedule, fresh: JobSchedule | undefined): boolean;
  /**
   * Visits one schedule of a batch with its re-read record (null: gone). `line` is the batch's meeting point: a
   * visit that holds its schedule's lock awaits `line.arrive()` before its first insert, so the claims of a batch
   * insert their runs in the same turn (one store call, insert-batcher.ts); a visit that will not insert under a lock
   * calls `line.leave()` as soon as it knows (or just returns: it leaves the line when it ends). Resolves
   * `'contended'` when the schedule was left due because its lock was held elsewhere (see the leap in
   * {@link walkDue}), anything else otherwise.
   */
  visit(index: number, fresh: JobSchedule | null, line: BatchLine): Promise<unknown>;
  /** A batch could not be re-read. */
  onReadError(error: unknown): void;
}

/** Walks the due list (see the file comment): two workers, each claiming a batch of half the concurrency at once. */
export async function walkDue(w: DueWalk): Promise<WalkEnd> {
  let order = w.inOrder ? Array.from(w.due, (_, i) => i) : ringOrder(w.due, w.random, w.from ?? null);
  const concurrency = Math.max(1, w.concurrency);
  const workers = concurrency === 1 ? 1 : 2;
  const batch = Math.min(REREAD_BATCH, Math.ceil(concurrency / workers));
  let next = 0;
  let inWake = false;
  let claimedInRow = 0;
  let full = false;
  // Schedules of this walk being read or claimed (their runs take run slots only once they execute): counted against
  // the room, so a worker does not read a batch while the other one's claims will already fill the replica.
  let claiming = 0;
  const worker = async () => {
    while (!w.stopped() && !inWake && !full && next < order.length) {
      if (w.room() - claiming <= 0) {
        full = true;
        break;
      }
      const indexes = order.slice(next, next + batch);
      next += indexes.length;
      claiming += indexes.length;
      let fresh: Map<string, JobSchedule>;
      try {
        fresh = await w.reread(indexes.map((i) => (w.due[i] as JobSchedule).jobName));
      } catch (error) {
        claiming -= indexes.length;
        w.onReadError(error);
        continue;
      }
      const live = indexes.filter((i) => {
        const listed = w.due[i] as JobSchedule;
        return w.stillDue(listed, fresh.get(listed.jobName));
      });
      claiming -= indexes.length - live.length;
      if (live.length === 0) {
        // At least two schedules in a row (a whole batch) claimed by someone else: a wake, not a coincidence.
        claimedInRow += indexes.length;
        if (claimedInRow >= Math.max(2, batch)) inWake = true;
        continue;
      }
      claimedInRow = 0;
      // The batch's schedules are claimed at once, right after their re-read (so it is still fresh), lined up before
      // their inserts.
      const line = new LineUp(live.length);
      let contended = 0;
      await Promise.all(
        live.map(async (i) => {
          // Each visit arrives or leaves exactly once.
          let done = false;
          const place: BatchLine = {
            arrive: () => {
              if (done) return Promise.resolve();
              done = true;
              return line.arrive();
            },
            leave: () => {
              if (done) return;
              done = true;
              line.leave();
            },
          };
          try {
            const outcome = await w.visit(i, fresh.get((w.due[i] as JobSchedule).jobName) ?? null, place);
            if (outcome === 'contended') contended++;
          } finally {
            claiming--;
            place.leave();
          }
        }),
      );
      // Most of the batch's locks went to another replica's claims: that walk is in step with this one and goes on
      // through what lies ahead, so this one leaps to the middle of what is left (see the file comment).
      const rest = order.length - next;
      if (contended * 2 > live.length && contended >= LEAP_EVIDENCE && rest > 2 * batch) {
        const middle = next + Math.floor(rest / 2);
        order = [...order.slice(0, next), ...order.slice(middle), ...order.slice(next, middle)];
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(workers, w.due.length) }, worker));
  const last = next > 0 && !inWake && next < order.length ? w.due[order[next - 1] as number] : undefined;
  return { left: full ? order.slice(next) : [], frontier: last ? ringPoint(last) : null };
}

/**
 * A meeting point of `n` participants: each either arrives (and waits until every participant arrived or left) or
 * leaves (never waits). Once every participant did one or the other, the arrived ones go on together.
 */
export class LineUp {
  #open: number;
  readonly #waiting: (() => void)[] = [];

  constructor(n: number) {
    this.#open = n;
  }

  /** Arrives; resolves once nobody is still on the way. */
  arrive(): Promise<void> {
    const p = new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.#done();
    return p;
  }

  /** Leaves without waiting (a participant that will not arrive). */
  leave(): void {
    this.#done();
  }

  #done(): void {
    this.#open--;
    if (this.#open > 0) return;
    for (const go of this.#waiting.splice(0)) go();
  }
}
