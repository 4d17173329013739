import { useEffect, useState } from 'preact/hooks';
import {
  EnabledBadge,
  ErrorNotice,
  Loading,
  PageTitle,
  StatusBadge,
  TableWrap,
  ZonedTime,
} from '../components/common.js';
import { can } from '../lib/auth.js';
import { useApp } from '../lib/context.js';
import { describe } from '../lib/describe.js';
import { between, duration, relative } from '../lib/format.js';
import { useLastRun } from '../lib/last-run.js';
import { useLive } from '../lib/live.js';
import { Link, navigate, scheduleHref } from '../lib/router.js';
import { RUN_STATUSES, type Schedule } from '../lib/types.js';
import { useData, useDebounced } from '../lib/use-data.js';
import { useDefaultZone } from '../lib/zone.js';

const PAGE_SIZE = 50;
const LAST_STATUS_OPTIONS: [string, string][] = [
  ['', 'Any'],
  ['failed,timed_out,abandoned', 'Failing (failed, timed out, abandoned)'],
  ...RUN_STATUSES.map((s): [string, string] => [s, s.replace('_', ' ')]),
  ['none', 'Never ran'],
];

function LastRunCell({ schedule }: { schedule: Schedule }) {
  const { api } = useApp();
  const run = useLastRun(api, schedule.job_name, schedule.last_run_at);
  const took = run ? between(run.started_at, run.finished_at) : null;
  return (
    <div class="stack">
      <StatusBadge status={schedule.last_run_status} />
      {schedule.last_run_at ? (
        <span class="muted small">
          {relative(schedule.last_run_at)}
          {took !== null ? ` · took ${duration(took)}` : ''}
        </span>
      ) : null}
    </div>
  );
}

function Row({ s, defaultZone }: { s: Schedule; defaultZone: string }) {
  const zone = s.timezone ?? defaultZone;
  return (
    <tr>
      <td data-label="Name">
        <Link to={scheduleHref(s.job_name)} class="strong">
          {s.job_name}
        </Link>
        {s.description ? <div class="muted small clamp">{s.description}</div> : null}
      </td>
      <td data-label="Schedule">
        <code class="cron">{s.cron_expression}</code>
        <div class="small">{describe(s.cron_expression)}</div>
      </td>
      <td data-label="Timezone">
        {zone}
        {s.timezone === null ? <div class="muted small">scheduler default</div> : null}
      </td>
      <td data-label="Next run">
        {s.is_enabled ? (
          <ZonedTime at={s.next_run_at} zone={zone} showRelative />
        ) : (
          <span class="muted">not scheduled</span>
        )}
      </td>
      <td data-label="Last run">
        <LastRunCell schedule={s} />
      </td>
      <td data-label="State">
        <EnabledBadge enabled={s.is_enabled} reason={s.paused_reason} />
        {s.paused_reason ? <div class="muted small">{s.paused_reason}</div> : null}
      </td>
    </tr>
  );
}

/** All schedules: search, filters and cursor paging (50 a page: fast with any number of schedules). */
export function SchedulesPage({ query }: { query: URLSearchParams }) {
  const { api, session, live } = useApp();
  const defaultZone = useDefaultZone(api);
  const filters = {
    q: query.get('q') ?? '',
    enabled: query.get('enabled') ?? '',
    job_type: query.get('job_type') ?? '',
    last_status: query.get('last_status') ?? '',
    cursor: query.get('cursor') ?? '',
  };
  const [text, setText] = useState(filters.q);
  const q = useDebounced(text, 250);
  // Cursors of the pages before this one (for "Previous"); a reload starts again from the first page.
  const [history, setHistory] = useState<string[]>([]);

  const setFilters = (next: Partial<typeof filters>, keepCursor = false) => {
    const merged = { ...filters, ...next, ...(keepCursor ? {} : { cursor: '' }) };
    if (!keepCursor) setHistory([]);
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(merged)) if (v) p.set(k, v);
    const s = p.toString();
    navigate(s ? `?${s}` : '');
  };
  useEffect(() => {
    if (q !== filters.q) setFilters({ q });
  }, [q]);
  // Back/forward to another search puts its text in the box.
  useEffect(() => setText(filters.q), [filters.q]);

  const key = JSON.stringify(filters);
  const list = useData(key, (signal) =>
    api.listSchedules(
      {
        q: filters.q,
        enabled: filters.enabled,
        job_type: filters.job_type,
        last_status: filters.last_status,
        cursor: filters.cursor,
        limit: PAGE_SIZE,
      },
      signal,
    ),
  );
  const types = useData('types', (signal) => api.listTypes(signal));
  useLive(live, { kind: 'schedules' }, list.reload);

  const items = list.data?.items ?? [];
  const page = history.length + 1;
  const filtered = filters.q || filters.enabled || filters.job_type || filters.last_status;
  return (
    <>
      <div class="page-head">
        <PageTitle sub="Every schedule, its next run in its own zone and in UTC, and how its last run went.">
          Schedules
        </PageTitle>
        {can(session, 'jobs:write') ? (
          <Link to="schedules/new" class="btn btn-primary">
            New schedule
          </Link>
        ) : null}
      </div>
      <search class="filters" aria-label="Filter schedules">
        <div class="field field-grow">
          <label for="f-q">Search</label>
          <input
            id="f-q"
            type="search"
            value={text}
            placeholder="Name or description"
            onInput={(e) => setText(e.currentTarget.value)}
          />
        </div>
        <div class="field">
          <label for="f-enabled">State</label>
          <select
            id="f-enabled"
            value={filters.enabled}
            onChange={(e) => setFilters({ enabled: e.currentTarget.value })}
          >
            <option value="">All</option>
            <option value="true">Enabled</option>
            <option value="false">Disabled</option>
          </select>
        </div>
        <div class="field">
          <label for="f-type">Job type</label>
          <select
            id="f-type"
            value={filters.job_type}
            onChange={(e) => setFilters({ job_type: e.currentTarget.value })}
          >
            <option value="">All</option>
            {(types.data ?? []).map((t) => (
              <option key={t.job_type} value={t.job_type}>
                {t.job_type}
              </option>
            ))}
            {filters.job_type && !types.data?.some((t) => t.job_type === filters.job_type) ? (
              <option value={filters.job_type}>{filters.job_type}</option>
            ) : null}
          </select>
        </div>
        <div class="field">
          <label for="f-status">Last run</label>
          <select
            id="f-status"
            value={filters.last_status}
            onChange={(e) => setFilters({ last_status: e.currentTarget.value })}
          >
            {LAST_STATUS_OPTIONS.map(([v, label]) => (
              <option key={v} value={v}>
                {label}
              </option>
            ))}
          </select>
        </div>
      </search>
      <ErrorNotice error={list.error} what="the schedules" />
      {list.loading && !list.data ? <Loading what="schedules" /> : null}
      {list.data && defaultZone ? (
        items.length === 0 ? (
          <div class="empty card">
            {filtered ? (
              <p>No schedule matches these filters.</p>
            ) : (
              <p>
                No schedules yet.{' '}
                {can(session, 'jobs:write') ? (
                  <Link to="schedules/new">Create the first one</Link>
                ) : (
                  'A token with jobs:write can create them.'
                )}
              </p>
            )}
          </div>
        ) : (
          <TableWrap label="Schedules">
            <table class="table responsive schedules-table">
              <caption class="visually-hidden">Schedules, page {page}</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Schedule</th>
                  <th scope="col">Timezone</th>
                  <th scope="col">Next run (local · UTC)</th>
                  <th scope="col">Last run</th>
                  <th scope="col">State</th>
                </tr>
              </thead>
              <tbody>
                {items.map((s) => (
                  <Row key={s.job_name} s={s} defaultZone={defaultZone} />
                ))}
              </tbody>
            </table>
          </TableWrap>
        )
      ) : null}
      {list.data && (history.length > 0 || list.data.next_cursor) ? (
        <nav class="pager" aria-label="Pages of schedules">
          <button
            type="button"
            class="btn"
            disabled={history.length === 0}
            onClick={() => {
              const prev = history.slice(0, -1);
              setHistory(prev);
              setFilters({ cursor: history[history.length - 1] ?? '' }, true);
            }}
          >
            ‹ Previous
          </button>
          <span class="muted">
            Page {page} · {items.length} shown
          </span>
          <button
            type="button"
            class="btn"
            disabled={!list.data.next_cursor}
            onClick={() => {
              setHistory([...history, filters.cursor]);
              setFilters({ cursor: list.data?.next_cursor ?? '' }, true);
            }}
          >
            Next ›
          </button>
        </nav>
      ) : null}
    </>
  );
}
