// Positions in the event log: comparing them, and their text form (the SSE `id:` and `Last-Event-ID`).
import type { EventCursor, EventLogStore, JobEvent } from '../types.js';

/** The characters of an event id (see `NewJobEvent.id`). */
export const EVENT_ID_PATTERN = /^[0-9A-Za-z_-]{1,64}$/;

/** The position of `event`. */
export function eventCursor(event: Pick<JobEvent, 'at' | 'id'>): EventCursor {
  return { at: new Date(event.at.getTime()), id: event.id };
}

/**
 * Orders positions: by `at`, then by `id` in code-unit order, a `null` id (after every event of that
 * millisecond) last. Negative when `a` is before `b`.
 */
export function compareEventCursors(a: EventCursor, b: EventCursor): number {
  const d = a.at.getTime() - b.at.getTime();
  if (d !== 0) return d;
  if (a.id === b.id) return 0;
  if (a.id === null) return 1;
  if (b.id === null) return -1;
  return a.id < b.id ? -1 : 1;
}

/** The later of two positions. */
export function laterCursor(a: EventCursor, b: EventCursor): EventCursor {
  return compareEventCursors(a, b) >= 0 ? a : b;
}

/**
 * The text form of a position: `<at in epoch ms>-<id>` for an event (`1767225600000-k2v9q0x1zf0000002s`), or
 * `<at in epoch ms>` for a position after every event of that millisecond. Opaque to clients: they only send it
 * back as `Last-Event-ID`.
 */
export function formatEventCursor(cursor: EventCursor): string {
  const ms = cursor.at.getTime();
  return cursor.id === null ? String(ms) : `${ms}-${cursor.id}`;
}

/** Parses {@link formatEventCursor}'s text; `null` for anything else. */
export function parseEventCursor(text: string): EventCursor | null {
  const m = /^(\d{1,16})(?:-([0-9A-Za-z_-]{1,64}))?$/.exec(text.trim());
  if (!m) return null;
  const ms = Number(m[1]);
  if (!Number.isSafeInteger(ms) || ms > 8.64e15) return null;
  return { at: new Date(ms), id: m[2] ?? null };
}

/** Whether `value` implements {@link EventLogStore} (`MemoryStore` and `@craft/mongo`'s store do). */
export function isEventLogStore(value: unknown): value is EventLogStore {
  const v = value as Partial<Record<keyof EventLogStore, unknown>> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.appendEvents === 'function' &&
    typeof v.readEvents === 'function' &&
    typeof v.deleteEvents === 'function' &&
    typeof v.oldestEventCursor === 'function'
  );
}
