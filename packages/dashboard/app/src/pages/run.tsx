import {
  ErrorNotice,
  Json,
  Loading,
  PageTitle,
  StatusBadge,
  TableWrap,
  ZonedTime,
} from '../components/common.js';
import { lagOf } from '../components/run-table.js';
import { can } from '../lib/auth.js';
import { useApp } from '../lib/context.js';
import { runActions } from '../lib/extensions.js';
import { between, duration, viewerZone } from '../lib/format.js';
import { useLive } from '../lib/live.js';
import { Link, runHref, scheduleHref } from '../lib/router.js';
import { useData } from '../lib/use-data.js';

/** One run's whole record: timing, attempts with their errors, result, parameters, chained runs. */
export function RunPage({ id }: { id: string }) {
  const { api, session, live } = useApp();
  const run = useData(`run:${id}`, (signal) => api.getRun(id, signal));
  const children = useData(`children:${id}`, (signal) =>
    api.listRuns({ parent_run_id: id, order: 'asc', limit: 100 }, signal),
  );
  useLive(live, { kind: 'run', id }, () => {
    run.reload();
    children.reload();
  });
  if (run.error && !run.data) {
    return (
      <>
        <PageTitle>Run {id}</PageTitle>
        <ErrorNotice error={run.error} what="this run" />
      </>
    );
  }
  const r = run.data;
  if (!r) return <Loading what="the run" />;
  const zone = viewerZone;
  return (
    <>
      <nav class="crumbs" aria-label="Breadcrumb">
        <Link to="runs">Runs</Link> <span aria-hidden="true">/</span> <span class="mono">{r.id}</span>
      </nav>
      <div class="page-head">
        <PageTitle sub={r.job_name ? `${r.job_name} · ${r.job_type}` : r.job_type}>
          Run <StatusBadge status={r.status} />
        </PageTitle>
        <div class="actions">
          {runActions
            .filter((a) => can(session, a.scope))
            .map((a) => (
              <a.component key={a.id} target={r} refresh={run.reload} />
            ))}
        </div>
      </div>
      <section class="card" aria-labelledby="run-summary">
        <h2 id="run-summary">Record</h2>
        <dl class="summary">
          <div>
            <dt>Schedule</dt>
            <dd>
              {r.job_name ? (
                <Link to={scheduleHref(r.job_name)}>{r.job_name}</Link>
              ) : (
                <span class="muted">none (a job type run)</span>
              )}
            </dd>
          </div>
          <div>
            <dt>Job type</dt>
            <dd>
              <Link to={`types#type-${r.job_type}`}>{r.job_type}</Link>
            </dd>
          </div>
          <div>
            <dt>Trigger</dt>
            <dd>{r.trigger}</dd>
          </div>
          <div>
            <dt>Slot</dt>
            <dd>
              {r.slot ? (
                <ZonedTime at={r.slot} zone={zone} />
              ) : (
                <span class="muted">none (not a scheduled slot)</span>
              )}
            </dd>
          </div>
          <div>
            <dt>Created</dt>
            <dd>
              <ZonedTime at={r.created_at} zone={zone} showRelative />
            </dd>
          </div>
          <div>
            <dt>Started</dt>
            <dd>
              <ZonedTime at={r.started_at} zone={zone} />
            </dd>
          </div>
          <div>
            <dt>Finished</dt>
            <dd>
              <ZonedTime at={r.finished_at} zone={zone} />
            </dd>
          </div>
          <div>
            <dt>Lag · duration</dt>
            <dd>
              {duration(lagOf(r))} · {duration(between(r.started_at, r.finished_at))}
            </dd>
          </div>
          <div>
            <dt>Attempts · timeout</dt>
            <dd>
              {r.attempts.length} of {r.max_attempts} · {duration(r.timeout_seconds * 1000)} each
            </dd>
          </div>
          {r.parent_run_id ? (
            <div>
              <dt>Chained from</dt>
              <dd>
                <Link to={runHref(r.parent_run_id)} class="mono">
                  {r.parent_run_id}
                </Link>
              </dd>
            </div>
          ) : null}
          <div>
            <dt>Replica · lease</dt>
            <dd class="small">
              {r.replica_id ?? '—'}
              {r.lease_owner ? ` · held by ${r.lease_owner} until ${r.lease_expires_at ?? '?'}` : ''}
            </dd>
          </div>
          <div>
            <dt>Run key · lock</dt>
            <dd class="small mono">
              {r.run_key} · {r.lock_key}
              {r.fencing_token !== null ? ` · token ${r.fencing_token}` : ''}
            </dd>
          </div>
        </dl>
      </section>
      {r.error ? (
        <section class="card notice-error-card" aria-labelledby="run-error">
          <h2 id="run-error">Error</h2>
          <p>
            <strong>{r.error.name}</strong>
            {r.error.code ? (
              <>
                {' '}
                <code>{r.error.code}</code>
              </>
            ) : null}
            : {r.error.message}
          </p>
        </section>
      ) : null}
      <section class="card" aria-labelledby="run-attempts">
        <h2 id="run-attempts">Attempts</h2>
        {r.attempts.length === 0 ? (
          <p class="muted">No attempt started{r.status === 'skipped' ? ': the slot was skipped' : ' yet'}.</p>
        ) : (
          <TableWrap label="Attempts">
            <table class="table responsive">
              <caption class="visually-hidden">Attempts of this run</caption>
              <thead>
                <tr>
                  <th scope="col">#</th>
                  <th scope="col">Status</th>
                  <th scope="col">Started</th>
                  <th scope="col">Duration</th>
                  <th scope="col">Replica</th>
                  <th scope="col">Error</th>
                </tr>
              </thead>
              <tbody>
                {r.attempts.map((a) => (
                  <tr key={a.attempt}>
                    <td data-label="#">{a.attempt}</td>
                    <td data-label="Status">
                      <StatusBadge status={a.status} />
                    </td>
                    <td data-label="Started">
                      <ZonedTime at={a.started_at} zone={zone} />
                    </td>
                    <td data-label="Duration">{duration(between(a.started_at, a.finished_at))}</td>
                    <td data-label="Replica" class="small">
                      {a.replica_id}
                    </td>
                    <td data-label="Error" class="error-cell">
                      {a.error ? (
                        `${a.error.code ? `${a.error.code}: ` : ''}${a.error.message}`
                      ) : (
                        <span class="muted">—</span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        )}
      </section>
      <div class="grid-2">
        <section class="card" aria-labelledby="run-result">
          <h2 id="run-result">Result</h2>
          {r.result === null || r.result === undefined ? (
            <p class="muted">No result.</p>
          ) : (
            <Json value={r.result} label="Result" />
          )}
        </section>
        <section class="card" aria-labelledby="run-params">
          <h2 id="run-params">Parameters</h2>
          <Json value={r.parameters} label="Parameters" />
        </section>
      </div>
      {children.data && children.data.items.length > 0 ? (
        <section class="card" aria-labelledby="run-children">
          <h2 id="run-children">Chained runs</h2>
          <ul>
            {children.data.items.map((c) => (
              <li key={c.id}>
                <Link to={runHref(c.id)}>{c.job_name ?? c.job_type}</Link> <StatusBadge status={c.status} />
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </>
  );
}
