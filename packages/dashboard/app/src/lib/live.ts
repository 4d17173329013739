// Live updates: the one place pages learn that something changed.
//
// The source reads the API's event stream (`GET /jobs/events`, Server-Sent Events, spec section 12) with streaming
// `fetch` (event-stream.ts) and calls the subscribers whose topic an event touches; when the stream keeps failing
// it polls instead (every few seconds while the tab is visible). Pages only call `useLive`.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Api } from './api.js';
import { eventStreamSource } from './event-stream.js';

/** What a page shows, so a source can tell which events concern it. */
export type LiveTopic =
  | { kind: 'schedules' }
  | { kind: 'schedule'; jobName: string }
  | { kind: 'runs' }
  | { kind: 'run'; id: string };

/** How the page learns about changes: from the event stream, or by polling. */
export type LiveMode = 'poll' | 'stream';

/** A source of "something you show may have changed" signals. */
export interface LiveSource {
  /** `stream` or `poll` (the stream failed), shown in the header. */
  readonly mode: LiveMode;
  /** Calls `changed` whenever `topic` may have changed; returns the unsubscribe function. */
  subscribe(topic: LiveTopic, changed: () => void): () => void;
  /** Calls `listener` when `mode` changes; returns the unsubscribe function. */
  onModeChange?(listener: (mode: LiveMode) => void): () => void;
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

/** Makes the source for a signed-in API client. */
export type LiveSourceFactory = (api: Api) => LiveSource;

let factory: LiveSourceFactory = (api) => eventStreamSource(api);

/** Replaces the source (an embedding app, or a test). */
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

/** The source's current mode, re-rendered when it changes. */
export function useLiveMode(source: LiveSource): LiveMode {
  const [mode, setMode] = useState(source.mode);
  useEffect(() => {
    setMode(source.mode);
    return source.onModeChange?.(setMode);
  }, [source]);
  return mode;
}
