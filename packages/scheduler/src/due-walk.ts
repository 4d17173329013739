// How a pass walks its due list (issue "Scale": replicas that share the work, no claim storms):
// - The order is a ring every replica agrees on (a hash of the name), entered at a random point: replicas passing
//   at the same moment start at different points of the same ring and walk it in the same direction, so one reaches
//   a stretch another walked only after that one claimed it.
// - Two workers each take the next few schedules of the ring (half the claim concurrency), re-read them in ONE query
//   ("still due?", and the claim's input) instead of one read each, and claim them at once, while the read is fresh.
//   A batch whose schedules were all claimed since the listing means the
//   walk reached another replica's wake: the rest of the ring from there is that replica's, so the walk ends (what
//   it leaves is still due for the next pass, never lost).
// - While the replica runs as many handlers as it may (counting the claims the walk is making), no batch is re-read:
//   the rest of the walk is deferred as it stands (it would only be read to be deferred), still due for a later
//   pass or another replica. The next pass walks that rest on, in order, without listing again (pass.ts,
//   `DueCarry`).
// A claim from a re-read that went stale stays exactly-once anyway (run keys and the compare-and-set of next_run_at,
// see claim.ts): the walk only decides what costs how many round trips.
import type { JobSchedule } from './model.js';

/** Due schedules re-read per query (and claimed at once) by one worker, at most. */
export const REREAD_BATCH = 16;

/** FNV-1a of a string: the same on every replica. */
function nameHash(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Indexes of `due` along the shared ring, from a random starting point. */
export function ringOrder(due: readonly JobSchedule[], random: () => number): number[] {
  const hashes = due.map((s) => nameHash(s.jobName));
  const ring = Array.from({ length: due.length }, (_, i) => i).sort(
    (a, b) => (hashes[a] as number) - (hashes[b] as number) || a - b,
  );
  const start = Math.floor(random() * ring.length);
  return [...ring.slice(start), ...ring.slice(0, start)];
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
   * calls `line.leave()` as soon as it knows (or just returns: it leaves the line when it ends).
   */
  visit(index: number, fresh: JobSchedule | null, line: BatchLine): Promise<void>;
  /** A batch could not be re-read. */
  onReadError(error: unknown): void;
}

/**
 * Walks the due list (see the file comment): two workers, each claiming a batch of half the concurrency at once.
 * Resolves with the indexes of `due` left unvisited because the replica was full (deferred, still due).
 */
export async function walkDue(w: DueWalk): Promise<number[]> {
  const order = w.inOrder ? Array.from(w.due, (_, i) => i) : ringOrder(w.due, w.random);
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
            await w.visit(i, fresh.get((w.due[i] as JobSchedule).jobName) ?? null, place);
          } finally {
            claiming--;
            place.leave();
          }
        }),
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(workers, w.due.length) }, worker));
  return full ? order.slice(next) : [];
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
