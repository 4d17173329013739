import { between, duration, wallSeconds } from '../lib/format.js';
import { Link, runHref, scheduleHref } from '../lib/router.js';
import type { Run } from '../lib/types.js';
import { StatusBadge, TableWrap, ZonedTime } from './common.js';

const TRIGGER_TEXT: Record<string, string> = {
  schedule: 'Schedule',
  catch_up: 'Catch-up',
  chain: 'Chain',
  manual: 'Manual',
  backfill: 'Backfill',
};

/** Slot → start, for scheduled runs. */
export const lagOf = (r: Run) =>
  r.slot && r.started_at ? Math.max(0, Date.parse(r.started_at) - Date.parse(r.slot)) : null;

/** A page of runs: status, trigger, slot (in `zone`), created, lag, duration, attempts, error. */
export function RunTable({
  runs,
  zone,
  showSchedule,
  caption,
}: {
  runs: Run[];
  zone: string;
  showSchedule: boolean;
  caption: string;
}) {
  return (
    <TableWrap label={caption}>
      <table class="table responsive runs-table">
        <caption class="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Status</th>
            {showSchedule ? <th scope="col">Schedule / job type</th> : null}
            <th scope="col">Trigger</th>
            <th scope="col">Slot</th>
            <th scope="col">Created</th>
            <th scope="col">Lag</th>
            <th scope="col">Duration</th>
            <th scope="col">Attempts</th>
            <th scope="col">Error</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((r) => (
            <tr key={r.id}>
              <td data-label="Status">
                <Link to={runHref(r.id)} class="run-link" aria-label={`Run ${r.id}: ${r.status}`}>
                  <StatusBadge status={r.status} />
                </Link>
              </td>
              {showSchedule ? (
                <td data-label="Schedule">
                  {r.job_name ? (
                    <Link to={scheduleHref(r.job_name)}>{r.job_name}</Link>
                  ) : (
                    <span class="muted">(no schedule)</span>
                  )}
                  <div class="muted small">{r.job_type}</div>
                </td>
              ) : null}
              <td data-label="Trigger">{TRIGGER_TEXT[r.trigger] ?? r.trigger}</td>
              <td data-label="Slot">
                {r.slot ? <ZonedTime at={r.slot} zone={zone} /> : <span class="muted">—</span>}
              </td>
              <td data-label="Created">
                <span title={r.created_at}>{wallSeconds(r.created_at, zone)}</span>
              </td>
              <td data-label="Lag">{duration(lagOf(r))}</td>
              <td data-label="Duration">{duration(between(r.started_at, r.finished_at))}</td>
              <td data-label="Attempts">
                {r.attempts.length}/{r.max_attempts}
              </td>
              <td data-label="Error" class="error-cell">
                {r.error ? (
                  <span title={r.error.message}>
                    {r.error.code ? <code>{r.error.code}</code> : null} {r.error.message}
                  </span>
                ) : (
                  <span class="muted">—</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}
