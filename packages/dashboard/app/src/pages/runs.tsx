import { useEffect, useState } from 'preact/hooks';
import { ErrorNotice, Loading, PageTitle } from '../components/common.js';
import { RunTable } from '../components/run-table.js';
import { useApp } from '../lib/context.js';
import { count, viewerZone } from '../lib/format.js';
import { useLive } from '../lib/live.js';
import { navigate } from '../lib/router.js';
import { RUN_STATUSES, RUN_TRIGGERS } from '../lib/types.js';
import { useData, useDebounced } from '../lib/use-data.js';

const PAGE = 50;

/** `2027-03-28T10:00` typed in the viewer's zone → ISO instant (datetime-local inputs have no zone). */
const toIso = (local: string) => (local ? new Date(local).toISOString() : '');
const toLocalInput = (iso: string) => {
  if (!iso) return '';
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
};

/** Every run, newest first, filtered by status, schedule, trigger and creation time. */
export function RunsPage({ query }: { query: URLSearchParams }) {
  const { api, live } = useApp();
  const f = {
    status: query.get('status') ?? '',
    job_name: query.get('job_name') ?? '',
    trigger: query.get('trigger') ?? '',
    created_from: query.get('created_from') ?? '',
    created_to: query.get('created_to') ?? '',
    offset: Number(query.get('offset') ?? 0) || 0,
  };
  const [name, setName] = useState(f.job_name);
  const debouncedName = useDebounced(name, 300);
  const statuses = new Set(f.status.split(',').filter(Boolean));

  const setFilters = (next: Partial<typeof f>) => {
    const merged = { ...f, offset: 0, ...next };
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(merged)) if (v) p.set(k, String(v));
    const s = p.toString();
    navigate(s ? `runs?${s}` : 'runs');
  };
  useEffect(() => {
    if (debouncedName !== f.job_name) setFilters({ job_name: debouncedName });
  }, [debouncedName]);
  useEffect(() => setName(f.job_name), [f.job_name]);

  const key = JSON.stringify(f);
  const list = useData(key, (signal) =>
    api.listRuns(
      {
        status: f.status,
        job_name: f.job_name,
        trigger: f.trigger,
        created_from: f.created_from,
        created_to: f.created_to,
        limit: PAGE,
        offset: f.offset,
      },
      signal,
    ),
  );
  useLive(live, { kind: 'runs' }, list.reload);
  const data = list.data;

  return (
    <>
      <PageTitle sub={`Newest first. Times in your zone (${viewerZone}) with UTC underneath.`}>
        Runs
      </PageTitle>
      <search class="filters" aria-label="Filter runs">
        <fieldset class="field statuses">
          <legend>Status</legend>
          <div class="chips">
            {RUN_STATUSES.map((s) => (
              <label key={s} class="chip">
                <input
                  type="checkbox"
                  checked={statuses.has(s)}
                  onChange={(e) => {
                    const next = new Set(statuses);
                    if (e.currentTarget.checked) next.add(s);
                    else next.delete(s);
                    setFilters({ status: RUN_STATUSES.filter((x) => next.has(x)).join(',') });
                  }}
                />
                {s.replace('_', ' ')}
              </label>
            ))}
          </div>
        </fieldset>
        <div class="field">
          <label for="r-name">Schedule</label>
          <input
            id="r-name"
            type="search"
            value={name}
            placeholder="job_name"
            onInput={(e) => setName(e.currentTarget.value)}
          />
        </div>
        <div class="field">
          <label for="r-trigger">Trigger</label>
          <select
            id="r-trigger"
            value={f.trigger}
            onChange={(e) => setFilters({ trigger: e.currentTarget.value })}
          >
            <option value="">Any</option>
            {RUN_TRIGGERS.map((t) => (
              <option key={t} value={t}>
                {t.replace('_', '-')}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="r-from">Created from</label>
          <input
            id="r-from"
            type="datetime-local"
            value={toLocalInput(f.created_from)}
            onChange={(e) => setFilters({ created_from: toIso(e.currentTarget.value) })}
          />
        </div>
        <div class="field">
          <label for="r-to">Created before</label>
          <input
            id="r-to"
            type="datetime-local"
            value={toLocalInput(f.created_to)}
            onChange={(e) => setFilters({ created_to: toIso(e.currentTarget.value) })}
          />
        </div>
      </search>
      <ErrorNotice error={list.error} what="runs" />
      {list.loading && !data ? <Loading what="runs" /> : null}
      {data ? (
        data.items.length === 0 ? (
          <div class="empty card">
            <p>No run matches these filters.</p>
          </div>
        ) : (
          <>
            <RunTable runs={data.items} zone={viewerZone} showSchedule caption="Runs" />
            <nav class="pager" aria-label="Pages of runs">
              <button
                type="button"
                class="btn"
                disabled={f.offset === 0}
                onClick={() => setFilters({ offset: Math.max(0, f.offset - PAGE) })}
              >
                ‹ Newer
              </button>
              <span class="muted">
                {count(f.offset + 1)}–{count(f.offset + data.items.length)} of {count(data.total)}
              </span>
              <button
                type="button"
                class="btn"
                disabled={data.next_offset === null}
                onClick={() => setFilters({ offset: data.next_offset ?? 0 })}
              >
                Older ›
              </button>
            </nav>
          </>
        )
      ) : null}
    </>
  );
}
