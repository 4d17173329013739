import { relative } from '../lib/format.js';
import type { Preview } from '../lib/types.js';
import { TableWrap } from './common.js';

type Row =
  | {
      kind: 'run';
      local: string;
      at: string;
      offset: string;
      changed: string | null;
      dst?: string | null | undefined;
      /** The missing wall times a shifted run stands for. */
      standsFor: string[];
      /** The jitter offset (ms) and the planned start. */
      jitterMs: number;
      dueAt: string;
    }
  | { kind: 'skipped'; local: string; message: string; reason: string };

/**
 * Runs in time order (under `dst_overlap: both` a repeated wall time appears twice), each DST-skipped wall time
 * before the first run whose wall time is later; a run whose offset differs from the previous one is marked.
 */
export function previewRows(preview: Preview): Row[] {
  const rows: Row[] = preview.runs.map((r) => ({
    kind: 'run' as const,
    local: r.local,
    at: r.at,
    offset: r.offset,
    changed: null,
    dst: r.dst,
    standsFor: (preview.shifted ?? []).filter((x) => x.at === r.at).map((x) => x.local),
    jitterMs: r.jitter_ms ?? 0,
    dueAt: r.due_at ?? r.at,
  }));
  for (const s of preview.skipped) {
    const at = rows.findIndex((row) => row.kind === 'run' && row.local > s.local);
    const row = { kind: 'skipped' as const, local: s.local, message: s.message, reason: s.reason };
    rows.splice(at < 0 ? rows.length : at, 0, row);
  }
  let previous: string | null = null;
  for (const row of rows) {
    if (row.kind !== 'run') continue;
    if (previous !== null && previous !== row.offset) row.changed = `${previous} → ${row.offset}`;
    previous = row.offset;
  }
  return rows;
}

/** Whether a run's first/second marker is worth showing: under the default `first` the repeat never runs. */
function showsOccurrence(preview: Preview, dst: string | null | undefined): boolean {
  if (dst !== 'first' && dst !== 'second') return false;
  return preview.dst_overlap === undefined || preview.dst_overlap !== 'first' || dst === 'second';
}

const WEEKDAY = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
/** `Sun 2027-03-28 02:30` from a wall time `2027-03-28T02:30` (the date's weekday, whatever the zone). */
function localText(local: string): string {
  const [d, t] = local.split('T') as [string, string];
  const day = new Date(`${d}T00:00:00Z`).getUTCDay();
  return `${WEEKDAY[day]} ${d} ${t}`;
}

const DST_TEXT: Record<string, string> = {
  shifted: 'Shifted: the wall time did not exist, so the run moves to the end of the gap',
  first: 'First occurrence of a repeated wall time (the clock goes back)',
  second: 'Second occurrence of a repeated wall time (the clock goes back)',
};

/**
 * The next runs of a schedule or draft: wall time in the zone with its UTC offset, the UTC instant, and the DST
 * events between them (skipped slots, offset changes, shifted runs).
 */
export function NextRunsTable({
  preview,
  caption,
  compact = false,
}: {
  preview: Preview;
  caption: string;
  compact?: boolean;
}) {
  const rows = previewRows(preview);
  let n = 0;
  return (
    <TableWrap label={caption}>
      <table class={`table next-runs${compact ? ' compact' : ''}`}>
        <caption>{caption}</caption>
        <thead>
          <tr>
            {compact ? null : (
              <th scope="col" class="col-n">
                #
              </th>
            )}
            <th scope="col">Local time ({preview.timezone})</th>
            <th scope="col">UTC offset</th>
            <th scope="col">UTC</th>
            {compact ? null : (
              <th scope="col" class="col-when">
                When
              </th>
            )}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) =>
            row.kind === 'skipped' ? (
              <tr key={`s-${row.local}`} class="row-skipped" data-dst="skipped">
                {compact ? null : <td class="col-n">–</td>}
                <td data-label="Local time">
                  <s>{localText(row.local)}</s> <span class="badge badge-dst badge-skip">DST skip</span>
                </td>
                <td data-label="What" colSpan={compact ? 2 : 3} class="skip-message">
                  {row.message}
                </td>
              </tr>
            ) : (
              <tr
                key={row.at}
                class={
                  row.changed || row.dst === 'shifted' || showsOccurrence(preview, row.dst)
                    ? 'row-dst'
                    : undefined
                }
              >
                {compact ? null : <td class="col-n">{++n}</td>}
                <td data-label="Local time">
                  {localText(row.local)}
                  {row.dst === 'shifted' ? (
                    <span
                      class="badge badge-dst"
                      data-dst="shifted"
                      title={`${DST_TEXT['shifted']}${row.standsFor.length > 0 ? `: stands for ${row.standsFor.map((l) => l.slice(11)).join(', ')}` : ''}`}
                    >
                      DST shifted
                      {row.standsFor.length > 0
                        ? ` from ${row.standsFor.map((l) => l.slice(11)).join(', ')}`
                        : ''}
                    </span>
                  ) : showsOccurrence(preview, row.dst) ? (
                    <span
                      class="badge badge-dst"
                      data-dst={row.dst ?? undefined}
                      title={DST_TEXT[row.dst ?? '']}
                    >
                      DST {row.dst === 'first' ? '1st' : '2nd'} {row.local.slice(11)}
                    </span>
                  ) : null}
                </td>
                <td data-label="UTC offset">
                  <span class="offset">{row.offset}</span>
                  {row.changed ? (
                    <span
                      class="badge badge-dst"
                      title="The zone's UTC offset changes (daylight saving time)"
                    >
                      DST {row.changed}
                    </span>
                  ) : null}
                </td>
                <td class="col-utc">
                  <span class="nowrap">{row.at.slice(0, 10)}</span>{' '}
                  <span class="nowrap">{row.at.slice(11, 16)}</span>
                  {row.jitterMs > 0 ? (
                    <span
                      class="badge badge-jitter"
                      data-jitter={row.jitterMs}
                      title={`Jitter: this run starts ${(row.jitterMs / 1000).toFixed(1)} s after its slot`}
                    >
                      starts {row.dueAt.slice(11, 19)}
                    </span>
                  ) : null}
                </td>
                {compact ? null : <td class="col-when">{relative(row.at)}</td>}
              </tr>
            ),
          )}
        </tbody>
      </table>
    </TableWrap>
  );
}
