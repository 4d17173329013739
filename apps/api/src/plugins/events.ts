import {
  attachEventLog,
  DEFAULT_EVENT_POLL_INTERVAL_MS,
  DEFAULT_EVENT_SETTLE_MS,
  EventFeed,
  type EventLogWriter,
  isEventLogStore,
} from '@craft/scheduler';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { schedulerLogger } from './scheduler.js';

/** Options of the event stream (`GET /jobs/events`); tests shorten the intervals. */
export interface EventStreamOptions {
  /** How often the event log is read while a stream is open, in ms. @default 250 */
  pollIntervalMs?: number;
  /** Events younger than this (by the store's clock) wait, so none can arrive out of order. @default 1000 */
  settleMs?: number;
  /** A comment line is sent on every open stream this often, in ms (proxies close silent connections). @default 15000 */
  keepAliveMs?: number;
  /** The write-behind of this process's events: flush delay, in ms. @default 100 */
  flushIntervalMs?: number;
  /** A stream whose client does not read and has this many bytes waiting is closed (it resumes by itself). @default 1048576 */
  maxBufferedBytes?: number;
}

/** What the event stream route uses: `null` when the store keeps no event log. */
export interface EventStreams {
  /** The one reader of the log in this process, shared by every open stream. */
  feed: EventFeed;
  /** This process's writer (its scheduler's run and schedule events). */
  writer: EventLogWriter;
  /** Resolved options. */
  options: Required<EventStreamOptions>;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The event log's feed and writer (spec section 12), or null when the store keeps no event log. */
    events: EventStreams | null;
  }
}

/**
 * Records this process's scheduler events in the store's event log (write-behind) and opens the one feed that
 * every `GET /jobs/events` stream reads from. Registered after the scheduler plugin, so at close its `preClose`
 * runs after the scheduler drained: it ends the open streams (shutdown never waits on them) and appends the last
 * events.
 */
async function events(app: FastifyInstance, options: EventStreamOptions): Promise<void> {
  const store = app.storage.store;
  if (!isEventLogStore(store)) {
    app.log.warn('the store keeps no event log: GET /jobs/events answers 501');
    app.decorate('events', null);
    return;
  }
  const resolved: Required<EventStreamOptions> = {
    pollIntervalMs: options.pollIntervalMs ?? DEFAULT_EVENT_POLL_INTERVAL_MS,
    settleMs: options.settleMs ?? DEFAULT_EVENT_SETTLE_MS,
    keepAliveMs: options.keepAliveMs ?? 15_000,
    flushIntervalMs: options.flushIntervalMs ?? 100,
    maxBufferedBytes: options.maxBufferedBytes ?? 1024 * 1024,
  };
  const logger = schedulerLogger(app.log.child({ component: 'events' }));
  // Timers of the writer and the feed are real time, whatever clock the engine runs on: the log is stamped by the
  // store, and streams are for people watching now.
  const writer = attachEventLog(app.scheduler, { store, logger, flushIntervalMs: resolved.flushIntervalMs });
  const feed = new EventFeed({
    store,
    logger,
    pollIntervalMs: resolved.pollIntervalMs,
    settleMs: resolved.settleMs,
  });
  app.decorate('events', { feed, writer, options: resolved });
  app.addHook('preClose', async () => {
    await feed.close();
    await writer.close();
  });
}

/** The events plugin (wrapped with `fastify-plugin`: its decorator is visible to every route). */
export const eventsPlugin = fp(events, {
  name: '@craft/api-events',
  fastify: '5.x',
  dependencies: ['@craft/api-scheduler'],
});
