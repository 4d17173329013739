// The live source that reads the API's event stream (`GET /jobs/events`, Server-Sent Events) with streaming
// `fetch` and the bearer token (an `EventSource` cannot send the Authorization header). One connection per signed-in
// page, opened while any component listens; it reconnects with backoff and `Last-Event-ID` (so nothing is missed),
// and falls back to polling when the stream fails again and again (or the API has no event stream), trying the
// stream again now and then.
import type { Api, ApiError } from './api.js';
import { type LiveMode, type LiveSource, type LiveTopic, pollingSource } from './live.js';
import { createSseParser } from './sse.js';

/** An event as the stream sends it (`data:` of a message). */
export interface StreamEvent {
  id: string;
  type: string;
  at: string;
  job_name: string | null;
  run_id: string | null;
  data: Record<string, unknown>;
}

/** Options of {@link eventStreamSource}; tests shorten them. */
export interface EventStreamOptions {
  /** Consecutive failed connections before polling takes over. @default 3 */
  fallbackAfterFailures?: number;
  /** Polling interval while the stream is down. @default 5000 */
  pollMs?: number;
  /** While polling, how often the stream is tried again. @default 60000 */
  retryStreamMs?: number;
  /** A view of one schedule or run reloads at most once per this many ms (events come in bursts). @default 500 */
  throttleMs?: number;
  /** A list (schedules, runs: any event may touch it) reloads at most once per this many ms. @default 2000 */
  listThrottleMs?: number;
  /** Wait before reconnect attempt `n` (1, 2, 3…). @default 1 s, 2 s, 4 s … 30 s, with jitter */
  backoffMs?: (attempt: number) => number;
  /** With no listener for this long, the connection closes (page changes resubscribe within it). @default 10000 */
  idleCloseMs?: number;
  /**
   * A stream silent for this long is dropped and counts as a failure: the API sends a comment line every 15 s, so
   * silence means a dead connection or a proxy that buffers the stream. The first bytes must come within a
   * quarter of it. @default 45000
   */
  silenceMs?: number;
}

/** Whether an event may change what `topic` shows. */
export function concerns(topic: LiveTopic, e: StreamEvent): boolean {
  switch (topic.kind) {
    case 'schedules':
      // Schedule changes, and runs (the list shows each schedule's last run).
      return true;
    case 'schedule':
      return e.job_name === topic.jobName;
    case 'runs':
      return e.type.startsWith('run:');
    case 'run':
      return e.run_id === topic.id || e.data['parent_run_id'] === topic.id;
  }
}

interface Subscriber {
  topic: LiveTopic;
  throttleMs: number;
  changed: () => void;
  timer: ReturnType<typeof setTimeout> | undefined;
  pending: boolean;
  last: number;
}

const visible = () => document.visibilityState === 'visible';

/** The event-stream source for `api`. */
export function eventStreamSource(api: Api, options: EventStreamOptions = {}): LiveSource {
  const fallbackAfter = options.fallbackAfterFailures ?? 3;
  const pollMs = options.pollMs ?? 5000;
  const retryStreamMs = options.retryStreamMs ?? 60_000;
  const throttleMs = options.throttleMs ?? 500;
  const listThrottleMs = options.listThrottleMs ?? 2000;
  const throttleOf = (topic: LiveTopic) =>
    topic.kind === 'schedules' || topic.kind === 'runs' ? listThrottleMs : throttleMs;
  const idleCloseMs = options.idleCloseMs ?? 10_000;
  const silenceMs = options.silenceMs ?? 45_000;
  const backoff =
    options.backoffMs ?? ((n: number) => Math.min(30_000, 1000 * 2 ** (n - 1)) * (0.8 + Math.random() * 0.4));
  const subs = new Set<Subscriber>();
  const modeListeners = new Set<(mode: LiveMode) => void>();
  const poller = pollingSource(pollMs);
  let pollOff: (() => void) | undefined;
  let mode: LiveMode = 'stream';
  let lastId: string | undefined;
  let controller: AbortController | undefined;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let idle: ReturnType<typeof setTimeout> | undefined;
  let failures = 0;

  const call = (s: Subscriber) => {
    s.last = Date.now();
    s.pending = false;
    s.changed();
  };
  // Leading and trailing calls, at most one per the topic's throttle; while the tab is hidden, once when it shows.
  const notify = (s: Subscriber) => {
    if (!visible()) {
      s.pending = true;
      return;
    }
    if (s.timer) {
      s.pending = true;
      return;
    }
    const wait = s.throttleMs - (Date.now() - s.last);
    if (wait <= 0) call(s);
    else s.pending = true;
    s.timer = setTimeout(
      () => {
        s.timer = undefined;
        if (s.pending && visible()) call(s);
      },
      wait > 0 ? wait : s.throttleMs,
    );
  };
  const notifyAll = () => {
    for (const s of subs) notify(s);
  };
  const onVisible = () => {
    if (!visible()) return;
    for (const s of subs) if (s.pending && !s.timer) call(s);
  };

  const setMode = (next: LiveMode) => {
    if (next === mode) return;
    mode = next;
    if (next === 'poll') pollOff ??= poller.subscribe({ kind: 'schedules' }, notifyAll);
    else {
      pollOff?.();
      pollOff = undefined;
    }
    for (const l of modeListeners) l(next);
  };

  const reconnect = (ms: number) => {
    clearTimeout(retry);
    retry = setTimeout(connect, ms);
  };

  const onEvent = (event: string, data: string) => {
    if (event === 'reset') {
      // What we showed may have missed events: everything reloads.
      notifyAll();
      return;
    }
    let e: StreamEvent;
    try {
      e = JSON.parse(data) as StreamEvent;
    } catch {
      return;
    }
    if (typeof e.type !== 'string' || typeof e.data !== 'object' || e.data === null) return;
    for (const s of subs) if (concerns(s.topic, e)) notify(s);
  };

  async function connect(): Promise<void> {
    clearTimeout(retry);
    if (subs.size === 0 || controller) return;
    const ctl = new AbortController();
    controller = ctl;
    let silent = false;
    let watchdog: ReturnType<typeof setTimeout> | undefined;
    const expectData = (ms: number) => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => {
        silent = true;
        ctl.abort();
      }, ms);
    };
    expectData(silenceMs / 4);
    try {
      const res = await api.openEvents(lastId, ctl.signal);
      const feed = createSseParser({
        message: (m) => onEvent(m.event, m.data),
        id: (id) => {
          lastId = id;
        },
      });
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      const decoder = new TextDecoder();
      let received = false;
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        received = true;
        expectData(silenceMs);
        if (failures > 0 || mode === 'poll') {
          // Data flows (a buffering proxy sends headers, then nothing): the stream works.
          failures = 0;
          setMode('stream');
        }
        // No reload on the first connection: the stream starts a settle time (1 s) before now, which covers the
        // page's first requests; later connections resume with Last-Event-ID (or get a reset, which reloads).
        feed(decoder.decode(value, { stream: true }));
      }
      clearTimeout(watchdog);
      // Ended before a single byte: something between us and the API breaks the stream.
      if (!received) throw new Error('the event stream ended before it started');
      // The server ended the stream (it shuts down): reconnect soon, to another replica.
      controller = undefined;
      if (!ctl.signal.aborted) reconnect(backoff(1));
    } catch (error) {
      clearTimeout(watchdog);
      if (controller === ctl) controller = undefined;
      if (ctl.signal.aborted && !silent) return;
      const status = silent ? 0 : (error as ApiError).status;
      if (status === 401) return; // the page signs out (Api's onUnauthorized)
      failures++;
      // No event stream on this API (an older one, or a store without an event log): poll at once.
      if (status === 404 || status === 501 || failures >= fallbackAfter) setMode('poll');
      reconnect(mode === 'poll' ? retryStreamMs : backoff(failures));
    }
  }

  const stop = () => {
    clearTimeout(retry);
    controller?.abort();
    controller = undefined;
    pollOff?.();
    pollOff = undefined;
    document.removeEventListener('visibilitychange', onVisible);
  };

  return {
    get mode() {
      return mode;
    },
    subscribe(topic, changed) {
      const s: Subscriber = {
        topic,
        throttleMs: throttleOf(topic),
        changed,
        timer: undefined,
        pending: false,
        last: 0,
      };
      subs.add(s);
      clearTimeout(idle);
      if (subs.size === 1) {
        document.addEventListener('visibilitychange', onVisible);
        if (mode === 'poll') pollOff ??= poller.subscribe({ kind: 'schedules' }, notifyAll);
        if (!controller) void connect();
      }
      return () => {
        subs.delete(s);
        clearTimeout(s.timer);
        if (subs.size === 0) idle = setTimeout(stop, idleCloseMs);
      };
    },
    onModeChange(listener) {
      modeListeners.add(listener);
      return () => modeListeners.delete(listener);
    },
  };
}
