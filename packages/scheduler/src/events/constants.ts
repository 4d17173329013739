// Defaults of the event log (spec section 12), shared by the writer, the feed and the stores' callers.

/** How long events are kept and read: 7 days. A `Last-Event-ID` older than this gets a `reset`. */
export const EVENT_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * How old an event must be (by the store's clock) before a reader delivers it: longer than an append takes from
 * its stamp to being visible, so that no event with a smaller key can appear behind a reader's position.
 */
export const DEFAULT_EVENT_SETTLE_MS = 1000;

/** How often a feed reads the log while someone listens. */
export const DEFAULT_EVENT_POLL_INTERVAL_MS = 250;
