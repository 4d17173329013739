// How `runs watch` shows events: one line per event (pipes, logs, --json), or on a terminal a live table of the
// latest runs redrawn in place. Pure formatting over the event log's records; no I/O but `write`.
import type { JobEvent } from '@craft/scheduler';
import { formatTable, type Styler } from '../../lib/output.js';
import { formatElapsed } from '../../lib/progress.js';
import { styleStatus } from '../../lib/views.js';
import { messages } from './messages.js';

/** Where the view writes, and how it looks. */
export interface WatchViewOptions {
  /** `lines` (one line per event), `json` (one JSON object per line) or `table` (a live table, for terminals). */
  mode: 'lines' | 'json' | 'table';
  /** Writes to stdout. */
  write(text: string): void;
  /** Styles text (colour on a TTY). */
  style: Styler;
  /** Terminal height, for the table. @default 24 */
  rows?: number | undefined;
  /** Clock for the table's redraw throttle. @default Date.now */
  now?: () => number;
}

/** What the watch command feeds the view. */
export interface WatchView {
  /** One event and its id (`Last-Event-ID`). */
  event(event: JobEvent, id: string): void;
  /** The requested position could not be resumed; the stream goes on from `id`. */
  reset(reason: string, id: string): void;
  /** Draws what is pending (the table) and stops redrawing. */
  close(): void;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
const time = (iso: string | undefined) => (iso ? iso.replace(/\.\d{3}Z$/, 'Z') : '-');

function errorMessage(data: Record<string, unknown>): string | undefined {
  const e = data['error'] as { message?: unknown; code?: unknown } | null | undefined;
  const message = str(e?.message);
  if (!message) return undefined;
  const line = message.replace(/\s*\n\s*/g, ' ');
  return line.length > 80 ? `${line.slice(0, 79)}…` : line;
}

/** The words after the type on a line: what changed. */
export function describeEvent(event: JobEvent): string {
  const d = event.data;
  if (event.type.startsWith('run:')) {
    const parts = [`run ${event.runId ?? '-'}`, str(d['status']) ?? ''];
    const attempt = num(d['attempt']);
    const max = num(d['max_attempts']);
    if (attempt !== undefined && max !== undefined) parts.push(`attempt ${attempt}/${max}`);
    if (str(d['trigger'])) parts.push(`trigger ${str(d['trigger'])}`);
    if (str(d['slot'])) parts.push(`slot ${time(str(d['slot']))}`);
    const took = num(d['duration_ms']);
    if (took !== undefined) parts.push(`took ${formatElapsed(took)}`);
    const delay = num(d['delay_ms']);
    if (delay !== undefined) parts.push(`retry in ${formatElapsed(delay)}`);
    if (str(d['reason'])) parts.push(`reason ${str(d['reason'])}`);
    if (typeof d['retried'] === 'boolean') parts.push(d['retried'] ? 'back to pending' : 'no attempts left');
    const error = errorMessage(d);
    if (error) parts.push(`error: ${error}`);
    return parts.filter(Boolean).join('  ');
  }
  if (event.type.startsWith('schedule:')) {
    const parts = [str(d['cron_expression']) ?? '', str(d['timezone']) ?? ''];
    if (typeof d['is_enabled'] === 'boolean') parts.push(d['is_enabled'] ? 'enabled' : 'disabled');
    if (str(d['next_run_at'])) parts.push(`next ${time(str(d['next_run_at']))}`);
    const changed = Array.isArray(d['changed']) ? (d['changed'] as unknown[]).map(String) : [];
    if (changed.length > 0) parts.push(`changed: ${changed.join(', ')}`);
    return parts.filter(Boolean).join('  ');
  }
  return JSON.stringify(d);
}

/** One line for an event: `<at>  <type>  <schedule or job type>  <details>`. */
export function eventLine(event: JobEvent, style: Styler): string {
  const who = event.jobName ?? str(event.data['job_type']) ?? '-';
  const status = str(event.data['status']);
  let details = describeEvent(event);
  if (status) details = details.replace(status, styleStatus(status, style));
  return `${time(event.at.toISOString())}  ${event.type.padEnd(17)}  ${who}  ${details}`;
}

interface Row {
  at: string;
  who: string;
  runId: string;
  trigger: string;
  status: string;
  attempt: string;
  took: string;
  note: string;
  updated: number;
}

/** Creates the view for `mode`. */
export function createWatchView(options: WatchViewOptions): WatchView {
  const { style, write } = options;
  if (options.mode === 'json') {
    return {
      event(event, id) {
        write(
          `${JSON.stringify({ id, type: event.type, at: event.at.toISOString(), job_name: event.jobName, run_id: event.runId, data: event.data })}\n`,
        );
      },
      reset(reason, id) {
        write(`${JSON.stringify({ id, type: 'reset', reason })}\n`);
      },
      close() {},
    };
  }
  if (options.mode === 'lines') {
    return {
      event(event) {
        write(`${eventLine(event, style)}\n`);
      },
      reset() {},
      close() {},
    };
  }

  // The live table: the latest runs, most recently updated first, and the last schedule change under it.
  const now = options.now ?? Date.now;
  const runs = new Map<string, Row>();
  let footer: string = messages.watch.waiting;
  let drawn = 0;
  let seq = 0;
  let timer: NodeJS.Timeout | undefined;
  let last = 0;
  const draw = () => {
    timer = undefined;
    last = now();
    const limit = Math.max(3, (options.rows ?? 24) - 4);
    const rows = [...runs.values()].sort((a, b) => b.updated - a.updated).slice(0, limit);
    const table = formatTable(
      [
        { header: 'Time (UTC)' },
        { header: 'Schedule / job type' },
        { header: 'Run' },
        { header: 'Trigger' },
        { header: 'Status' },
        { header: 'Attempt', alignRight: true },
        { header: 'Took', alignRight: true },
        { header: 'Note' },
      ],
      rows.map((r) => [
        r.at,
        r.who,
        r.runId,
        r.trigger,
        styleStatus(r.status, style),
        r.attempt,
        r.took,
        r.note,
      ]),
      style,
    );
    const text = `${table}\n${style('dim', footer)}\n`;
    // Back to the first line drawn last time, clear to the end of the screen, draw again.
    write(`${drawn > 0 ? `\u001b[${drawn}F\u001b[J` : ''}${text}`);
    drawn = text.split('\n').length - 1;
  };
  const schedule = () => {
    if (timer) return;
    const wait = Math.max(0, 100 - (now() - last));
    timer = setTimeout(draw, wait);
  };
  draw();
  return {
    event(event) {
      const d = event.data;
      if (event.type.startsWith('run:') && event.runId) {
        const prev = runs.get(event.runId);
        const attempt = num(d['attempt']);
        const max = num(d['max_attempts']);
        const took = num(d['duration_ms']);
        const delay = num(d['delay_ms']);
        const note =
          errorMessage(d) ??
          (delay !== undefined ? `retry in ${formatElapsed(delay)}` : undefined) ??
          str(d['reason']) ??
          (event.type === 'run:lease_lost' ? 'lease lost' : undefined) ??
          '';
        runs.set(event.runId, {
          at: time(event.at.toISOString()),
          who: event.jobName ?? str(d['job_type']) ?? '-',
          runId: event.runId.slice(0, 8),
          trigger: str(d['trigger']) ?? prev?.trigger ?? '-',
          status: event.type === 'run:retrying' ? 'retrying' : (str(d['status']) ?? prev?.status ?? '-'),
          attempt: attempt !== undefined && max !== undefined ? `${attempt}/${max}` : (prev?.attempt ?? ''),
          took: took !== undefined ? formatElapsed(took) : (prev?.took ?? ''),
          note,
          updated: ++seq,
        });
      } else {
        footer = `${time(event.at.toISOString())}  ${event.type}  ${event.jobName ?? '-'}  ${describeEvent(event)}`;
      }
      schedule();
    },
    reset() {},
    close() {
      if (timer) clearTimeout(timer);
      draw();
    },
  };
}
