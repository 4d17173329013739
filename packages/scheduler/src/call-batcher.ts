// The batching shared by the engine's batchers (insert-batcher.ts, lock-batcher.ts, write-batchers.ts): calls queued
// within a few microtasks of each other go to the store or lock as one batched call, and each caller still gets its
// own answer, exactly as its single call would have given it. A lone call, and every call to a target without the
// batched form, is sent as the single call, unchanged. When the batched call fails, every call in it fails: each
// caller retries its own (guarded-writes.ts), as after any lost acknowledgement.
import { flushAfterMicrotasks } from './microtask-flush.js';

/** How one kind of call is sent alone and together. */
export interface BatchedCallKind<I, O> {
  /** Names the batched call in the error for an answer of the wrong length or shape. */
  name: string;
  /** Sends one call alone. */
  one(item: I): Promise<O>;
  /**
   * The batched call: sends the calls of one group together, answering one entry per call in order; null when the
   * target has none (asked at each call: a wrapped target may hide it).
   */
  many(): ((items: I[]) => Promise<O[]>) | null;
  /** Calls of different groups are never sent together (e.g. another lease length). @default one group */
  group?(item: I): string;
  /** Whether `out` answers `item` (an answer for another key would be wrong, not just late). @default any */
  answers?(item: I, out: O): boolean;
}

interface Queued<I, O> {
  item: I;
  resolve(out: O): void;
  reject(error: unknown): void;
}

/** Gathers the calls of one kind queued together into one batched call. */
export class CallBatcher<I, O> {
  readonly #kind: BatchedCallKind<I, O>;
  readonly #queues = new Map<string, Queued<I, O>[]>();
  #scheduled = false;

  constructor(kind: BatchedCallKind<I, O>) {
    this.#kind = kind;
  }

  /** Sends `item`, together with the other calls queued with it. */
  call(item: I): Promise<O> {
    if (this.#kind.many() === null) return this.#kind.one(item);
    return new Promise<O>((resolve, reject) => {
      const id = this.#kind.group?.(item) ?? '';
      const queue = this.#queues.get(id);
      if (queue) queue.push({ item, resolve, reject });
      else this.#queues.set(id, [{ item, resolve, reject }]);
      if (!this.#scheduled) {
        this.#scheduled = true;
        flushAfterMicrotasks(() => this.#flush());
      }
    });
  }

  #flush(): void {
    this.#scheduled = false;
    const queues = [...this.#queues.values()];
    this.#queues.clear();
    for (const queue of queues) {
      const many = this.#kind.many();
      if (queue.length === 1 || many === null) {
        for (const q of queue) sendSafely(() => this.#kind.one(q.item)).then(q.resolve, q.reject);
        continue;
      }
      sendSafely(() => many(queue.map((q) => q.item))).then(
        (answers) => {
          queue.forEach((q, i) => {
            const out = answers[i] as O;
            if (answers.length === queue.length && (this.#kind.answers?.(q.item, out) ?? true))
              q.resolve(out);
            else
              q.reject(
                new Error(`${this.#kind.name} answered ${answers.length} results for ${queue.length} calls`),
              );
          });
        },
        (error: unknown) => {
          for (const q of queue) q.reject(error);
        },
      );
    }
  }
}

/** The call's promise; a synchronous throw becomes a rejection. */
function sendSafely<T>(send: () => Promise<T>): Promise<T> {
  try {
    return send();
  } catch (error) {
    return Promise.reject(error);
  }
}
