// The flush timing shared by the batchers (insert-batcher.ts, lock-batcher.ts): calls queued within a few microtasks of
// each other go out together. Microtask hops, not a macrotask: the claims a batch lines up resume one microtask after
// another and each reaches its call synchronously, a store or lock answering in microtasks (the in-memory ones) must
// not keep a flush waiting for the next turn of the event loop, and simulated-time tests see no real delay.

/** Runs `flush` a few microtask hops from now. */
export function flushAfterMicrotasks(flush: () => void): void {
  void Promise.resolve()
    .then(() => undefined)
    .then(() => undefined)
    .then(flush);
}
