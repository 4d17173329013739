// Live updates: the one place pages learn that something changed.
//
// Today the source polls: each subscriber's refresh runs every few seconds while the tab is visible. The event
// stream (`GET /jobs/events`, Server-Sent Events, spec section 12) replaces it with a source that reads the
// stream with streaming `fetch` (EventSource cannot send the Authorization header) and calls the subscribers
// whose topic an event touches; pages do not change, they keep calling `useLive`.
import { useEffect, useRef } from 'preact/hooks';
import type { Api } from './api.js';

/** What a page shows, so a source can tell which events concern it. */
export type LiveTopic =
  | { kind: 'schedules' }
  | { kind: 'schedule'; jobName: string }
  | { kind: 'runs' }
  | { kind: 'run'; id: string };

/** A source of "something you show may have changed" signals. */
export interface LiveSource {
  /** `poll` or `stream`, shown in the header. */
  readonly mode: 'poll' | 'stream';
  /** Calls `changed` whenever `topic` may have changed; returns the unsubscribe function. */
  subscribe(topic: LiveTopic, changed: () => void): () => void;
}

/** Polls: calls every subscriber every `intervalMs` while the document is visible, and once when it shows again. */
export function pollingSource(intervalMs: number): LiveSource {
  return {
    mode: 'poll',
    subscribe(_topic, changed) {
      const timer = setInterval(() => {
        if (document.visibilityState === 'visible') changed();
      }, intervalMs);
      const onVisible = () => {
        if (document.visibilityState === 'visible') changed();
      };
      document.addEventListener('visibilitychange', onVisible);
      return () => {
        clearInterval(timer);
        document.removeEventListener('visibilitychange', onVisible);
      };
    },
  };
}

/** Makes the source for a signed-in API client (the event-stream source will take `api` to read the stream). */
export type LiveSourceFactory = (api: Api) => LiveSource;

let factory: LiveSourceFactory = () => pollingSource(5000);

/** Replaces the source (the event-stream module calls this at start). */
export function setLiveSourceFactory(next: LiveSourceFactory): void {
  factory = next;
}

/** The source for `api`. */
export function createLiveSource(api: Api): LiveSource {
  return factory(api);
}

/** Calls `refresh` whenever `topic` may have changed, for as long as the component is mounted. */
export function useLive(source: LiveSource, topic: LiveTopic, refresh: () => void): void {
  const latest = useRef(refresh);
  latest.current = refresh;
  const key = JSON.stringify(topic);
  useEffect(() => source.subscribe(topic, () => latest.current()), [source, key]);
}
