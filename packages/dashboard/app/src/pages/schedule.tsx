import { useState } from 'preact/hooks';
import {
  EnabledBadge,
  ErrorNotice,
  Json,
  Loading,
  Modal,
  PageTitle,
  StatusBadge,
  ZonedTime,
} from '../components/common.js';
import { MonthView } from '../components/month-view.js';
import { NextRunsTable } from '../components/next-runs.js';
import { RunChart } from '../components/run-chart.js';
import { RunTable } from '../components/run-table.js';
import type { ApiError } from '../lib/api.js';
import { can } from '../lib/auth.js';
import { useApp } from '../lib/context.js';
import { describe } from '../lib/describe.js';
import { scheduleActions } from '../lib/extensions.js';
import { count, duration, wall } from '../lib/format.js';
import { useLive } from '../lib/live.js';
import { Link, navigate, runHref, scheduleHref } from '../lib/router.js';
import type { Schedule } from '../lib/types.js';
import { useData } from '../lib/use-data.js';
import { useDefaultZone } from '../lib/zone.js';

const HISTORY_PAGE = 20;

type Dialog = 'disable' | 'delete' | null;

function Actions({ s, reload }: { s: Schedule; reload: () => void }) {
  const { api, session, notify } = useApp();
  const [dialog, setDialog] = useState<Dialog>(null);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const write = can(session, 'jobs:write');
  const run = can(session, 'jobs:run');
  if (!write && !run && scheduleActions.length === 0) return null;

  const act = async (what: () => Promise<unknown>, done: string) => {
    setBusy(true);
    setError(undefined);
    try {
      await what();
      notify(done);
      setDialog(null);
      setReason('');
      reload();
    } catch (e) {
      setError(e as ApiError);
      if (!dialog) notify((e as ApiError).message, 'error');
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="actions">
      {run ? (
        <button
          type="button"
          class="btn btn-primary"
          disabled={busy}
          onClick={() =>
            act(async () => {
              const r = await api.runNow(s.job_name);
              notify(`Run started (${r.id.slice(0, 8)})`);
            }, 'Run started')
          }
        >
          Run now
        </button>
      ) : null}
      {write ? (
        s.is_enabled ? (
          <button type="button" class="btn" onClick={() => setDialog('disable')}>
            Disable…
          </button>
        ) : (
          <button
            type="button"
            class="btn"
            disabled={busy}
            onClick={() => act(() => api.enable(s.job_name), 'Schedule enabled')}
          >
            Enable
          </button>
        )
      ) : null}
      {write ? (
        <Link to={scheduleHref(s.job_name, '/edit')} class="btn">
          Edit
        </Link>
      ) : null}
      {scheduleActions
        .filter((a) => can(session, a.scope))
        .map((a) => (
          <a.component key={a.id} target={s} refresh={reload} />
        ))}
      {write ? (
        <button type="button" class="btn btn-danger" onClick={() => setDialog('delete')}>
          Delete…
        </button>
      ) : null}
      {dialog === 'disable' ? (
        <Modal
          title={`Disable ${s.job_name}?`}
          onClose={() => setDialog(null)}
          actions={
            <>
              <button type="button" class="btn" onClick={() => setDialog(null)}>
                Cancel
              </button>
              <button
                type="button"
                class="btn btn-primary"
                disabled={busy}
                onClick={() => act(() => api.disable(s.job_name, reason.trim()), 'Schedule disabled')}
              >
                Disable
              </button>
            </>
          }
        >
          <p>No run starts while it is disabled; enabling it later starts from then, without catching up.</p>
          <label for="disable-reason">Reason (shown to other operators)</label>
          <textarea
            id="disable-reason"
            rows={3}
            value={reason}
            maxLength={500}
            onInput={(e) => setReason(e.currentTarget.value)}
          />
          <ErrorNotice error={error} />
        </Modal>
      ) : null}
      {dialog === 'delete' ? (
        <Modal
          title={`Delete ${s.job_name}?`}
          onClose={() => setDialog(null)}
          actions={
            <>
              <button type="button" class="btn" onClick={() => setDialog(null)}>
                Keep it
              </button>
              <button
                type="button"
                class="btn btn-danger"
                disabled={busy}
                onClick={() =>
                  act(async () => {
                    await api.deleteSchedule(s.job_name);
                    navigate('');
                  }, `Deleted ${s.job_name}`)
                }
              >
                Delete schedule
              </button>
            </>
          }
        >
          <p>The schedule stops and is removed. Its run history stays (the Runs page still lists it).</p>
          <ErrorNotice error={error} />
        </Modal>
      ) : null}
    </div>
  );
}

/** One schedule: what it is, when it runs next (DST marked), a month ahead, and how its runs went. */
export function SchedulePage({ name }: { name: string }) {
  const { api, live } = useApp();
  const defaultZone = useDefaultZone(api);
  const schedule = useData(`s:${name}`, (signal) => api.getSchedule(name, signal));
  const next = useData(`n:${name}:${schedule.data?.cron_expression}:${schedule.data?.timezone}`, (signal) =>
    api.nextRuns(name, { count: 20 }, signal),
  );
  const [offset, setOffset] = useState(0);
  const history = useData(`h:${name}:${offset}`, (signal) =>
    api.listRuns({ job_name: name, limit: HISTORY_PAGE, offset }, signal),
  );
  const chart = useData(`c:${name}`, (signal) => api.listRuns({ job_name: name, limit: 50 }, signal));
  useLive(live, { kind: 'schedule', jobName: name }, () => {
    schedule.reload();
    next.reload();
    history.reload();
    chart.reload();
  });

  if (schedule.error && !schedule.data) {
    return (
      <>
        <PageTitle>{name}</PageTitle>
        <ErrorNotice error={schedule.error} what="this schedule" />
        <p>
          <Link to="">Back to the schedules</Link>
        </p>
      </>
    );
  }
  const s = schedule.data;
  if (!s || !defaultZone) return <Loading what={name} />;
  const zone = s.timezone ?? defaultZone;
  const reload = () => {
    schedule.reload();
    next.reload();
    history.reload();
    chart.reload();
  };
  const total = history.data?.total ?? 0;
  return (
    <>
      <nav class="crumbs" aria-label="Breadcrumb">
        <Link to="">Schedules</Link> <span aria-hidden="true">/</span> <span>{s.job_name}</span>
      </nav>
      <div class="page-head">
        <PageTitle sub={s.description ?? undefined}>
          {s.job_name} <EnabledBadge enabled={s.is_enabled} reason={s.paused_reason} />
        </PageTitle>
        <Actions s={s} reload={reload} />
      </div>
      {!s.is_enabled ? (
        <div class="notice notice-warn">
          <strong>Disabled.</strong>{' '}
          {s.paused_reason
            ? `Reason: ${s.paused_reason}${s.paused_by ? ` (by ${s.paused_by}${s.paused_at ? `, ${wall(s.paused_at, zone)}` : ''})` : ''}.`
            : 'No run starts until it is enabled.'}
        </div>
      ) : null}
      <section class="card" aria-labelledby="summary-h">
        <h2 id="summary-h">Summary</h2>
        <dl class="summary">
          <div>
            <dt>Cron</dt>
            <dd>
              <code class="cron">{s.cron_expression}</code>
              <div>{describe(s.cron_expression)}</div>
            </dd>
          </div>
          <div>
            <dt>Timezone</dt>
            <dd>
              {zone}
              {s.timezone === null ? <div class="muted small">the scheduler's default</div> : null}
            </dd>
          </div>
          <div>
            <dt>Next run</dt>
            <dd>
              {s.is_enabled ? (
                <ZonedTime at={s.next_run_at} zone={zone} showRelative weekday />
              ) : (
                <span class="muted">not scheduled (disabled)</span>
              )}
            </dd>
          </div>
          <div>
            <dt>Last run</dt>
            <dd>
              <StatusBadge status={s.last_run_status} />
              {s.last_run_at ? <ZonedTime at={s.last_run_at} zone={zone} showRelative /> : null}
            </dd>
          </div>
          <div>
            <dt>Job type</dt>
            <dd>
              <Link to={`types#type-${s.job_type}`}>{s.job_type}</Link>
            </dd>
          </div>
          <div>
            <dt>Attempts · timeout</dt>
            <dd>
              {s.max_attempts ?? 'job default'} ·{' '}
              {s.timeout_seconds === null ? 'job default' : duration(s.timeout_seconds * 1000)}
            </dd>
          </div>
          <div>
            <dt>Missed runs</dt>
            <dd>
              {s.missed_run_policy}
              {s.missed_run_policy === 'all' ? ` (at most ${s.max_catch_up_runs})` : ''}
              {s.catch_up_window_seconds !== null
                ? `, window ${duration(s.catch_up_window_seconds * 1000)}`
                : ''}
            </dd>
          </div>
          {s.overlap_policy ? (
            <div>
              <dt>While a run still runs</dt>
              <dd>{s.overlap_policy}</dd>
            </div>
          ) : null}
          <div>
            <dt>DST · jitter</dt>
            <dd>
              gap {s.dst_gap ?? 'skip'} · overlap {s.dst_overlap ?? 'first'} ·{' '}
              {s.jitter_seconds ? `up to ${s.jitter_seconds} s` : 'no jitter'}
              {s.is_enabled && s.next_due_at && s.next_due_at !== s.next_run_at ? (
                <div class="muted small">next planned start {wall(s.next_due_at, zone)}</div>
              ) : null}
            </dd>
          </div>
          <div>
            <dt>Pause after failures</dt>
            <dd>
              {s.pause_after_failures == null ? 'never' : `${s.pause_after_failures} in a row`}
              {s.consecutive_failures ? (
                <div class="muted small">{s.consecutive_failures} failed in a row now</div>
              ) : null}
            </dd>
          </div>
          {s.updated_by ? (
            <div>
              <dt>Last changed by</dt>
              <dd>
                {s.updated_by}
                {s.managed_by ? (
                  <div class="muted small">managed by {s.managed_by} (schedules apply)</div>
                ) : null}
              </dd>
            </div>
          ) : null}
          <div>
            <dt>Then runs</dt>
            <dd>
              {s.chain.length === 0
                ? '—'
                : s.chain.map((c, i) => (
                    <span key={c}>
                      {i > 0 ? ' → ' : ''}
                      <Link to={scheduleHref(c)}>{c}</Link>
                    </span>
                  ))}
            </dd>
          </div>
        </dl>
        <details>
          <summary>Parameters</summary>
          <Json value={s.parameters} label="Parameters" />
        </details>
      </section>
      <div class="grid-next">
        <section class="card" aria-labelledby="next-h">
          <h2 id="next-h">Next 20 runs</h2>
          <ErrorNotice error={next.error} what="the next runs" />
          {next.data ? (
            <NextRunsTable
              preview={next.data}
              caption={`${s.is_enabled ? '' : 'If enabled: '}wall time in ${next.data.timezone} with its UTC offset, and UTC`}
            />
          ) : (
            <Loading what="the next runs" />
          )}
        </section>
        <section class="card" aria-labelledby="month-h">
          <h2 id="month-h">Upcoming runs by day</h2>
          <MonthView jobName={s.job_name} zone={zone} firstRun={s.is_enabled ? s.next_run_at : null} />
        </section>
      </div>
      <section class="card" aria-labelledby="history-h">
        <h2 id="history-h">Run history</h2>
        <ErrorNotice error={history.error} what="the run history" />
        {chart.data ? <RunChart runs={chart.data.items} /> : null}
        {history.data ? (
          history.data.items.length === 0 ? (
            <p class="muted">No runs yet.</p>
          ) : (
            <>
              <RunTable
                runs={history.data.items}
                zone={zone}
                showSchedule={false}
                caption={`Runs of ${s.job_name}`}
              />
              <nav class="pager" aria-label="Pages of runs">
                <button
                  type="button"
                  class="btn"
                  disabled={offset === 0}
                  onClick={() => setOffset(Math.max(0, offset - HISTORY_PAGE))}
                >
                  ‹ Newer
                </button>
                <span class="muted">
                  {count(offset + 1)}–{count(offset + history.data.items.length)} of {count(total)}
                </span>
                <button
                  type="button"
                  class="btn"
                  disabled={history.data.next_offset === null}
                  onClick={() => setOffset(offset + HISTORY_PAGE)}
                >
                  Older ›
                </button>
              </nav>
              <p class="small">
                <Link to={`runs?job_name=${encodeURIComponent(s.job_name)}`}>
                  All runs of {s.job_name} with filters
                </Link>
                {history.data.items[0] ? (
                  <>
                    {' · '}
                    <Link to={runHref(history.data.items[0].id)}>latest run</Link>
                  </>
                ) : null}
              </p>
            </>
          )
        ) : (
          <Loading what="runs" />
        )}
      </section>
    </>
  );
}
