import { useEffect } from 'preact/hooks';
import { ErrorNotice, Json, Loading, PageTitle, TableWrap } from '../components/common.js';
import { can } from '../lib/auth.js';
import { useApp } from '../lib/context.js';
import { duration } from '../lib/format.js';
import { Link } from '../lib/router.js';
import type { JobType, JsonSchema } from '../lib/types.js';
import { useData } from '../lib/use-data.js';

function typeText(s: JsonSchema): string {
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(' | ');
  if (s.const !== undefined) return JSON.stringify(s.const);
  const alts = s.anyOf ?? s.oneOf;
  if (alts) return alts.map(typeText).join(' | ');
  const t = Array.isArray(s.type) ? s.type.join(' | ') : (s.type ?? 'any');
  if (t === 'array' && s.items) return `${typeText(s.items)}[]`;
  return s.format ? `${t} (${s.format})` : t;
}

function limits(s: JsonSchema): string {
  const parts: string[] = [];
  if (s.minimum !== undefined) parts.push(`≥ ${s.minimum}`);
  if (s.maximum !== undefined) parts.push(`≤ ${s.maximum}`);
  if (s.minLength !== undefined) parts.push(`length ≥ ${s.minLength}`);
  if (s.maxLength !== undefined) parts.push(`length ≤ ${s.maxLength}`);
  return parts.join(', ');
}

function TypeCard({ t }: { t: JobType }) {
  const { session } = useApp();
  const props = Object.entries(t.parameters?.properties ?? {});
  const required = new Set(t.parameters?.required ?? []);
  return (
    <section class="card type-card" id={`type-${t.job_type}`} aria-labelledby={`type-h-${t.job_type}`}>
      <div class="page-head">
        <h2 id={`type-h-${t.job_type}`} class="mono">
          {t.job_type}
        </h2>
        {can(session, 'jobs:write') ? (
          <Link to={`schedules/new?job_type=${encodeURIComponent(t.job_type)}`} class="btn btn-small">
            New schedule of this type
          </Link>
        ) : null}
      </div>
      {t.description ? <p>{t.description}</p> : null}
      <dl class="summary compact">
        <div>
          <dt>Max attempts</dt>
          <dd>{t.max_attempts}</dd>
        </div>
        <div>
          <dt>Timeout per attempt</dt>
          <dd>{duration(t.timeout_seconds * 1000)}</dd>
        </div>
        <div>
          <dt>Backoff</dt>
          <dd>
            {duration(t.backoff.base_ms)} doubling up to {duration(t.backoff.max_ms)}
            {t.backoff.jitter ? ', with jitter' : ''}
          </dd>
        </div>
      </dl>
      <h3>Parameters</h3>
      {t.parameters === null ? (
        <p class="muted">No schema: any object is passed as is.</p>
      ) : props.length === 0 ? (
        <p class="muted">None.</p>
      ) : (
        <TableWrap label={`Parameters of ${t.job_type}`}>
          <table class="table responsive">
            <caption class="visually-hidden">Parameters of {t.job_type}</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Type</th>
                <th scope="col">Required</th>
                <th scope="col">Default</th>
                <th scope="col">Description</th>
              </tr>
            </thead>
            <tbody>
              {props.map(([name, s]) => (
                <tr key={name}>
                  <td data-label="Name">
                    <code>{name}</code>
                  </td>
                  <td data-label="Type">
                    {typeText(s)}
                    {limits(s) ? <div class="muted small">{limits(s)}</div> : null}
                  </td>
                  <td data-label="Required">{required.has(name) ? 'yes' : 'no'}</td>
                  <td data-label="Default">
                    {s.default === undefined ? (
                      <span class="muted">—</span>
                    ) : (
                      <code>{JSON.stringify(s.default)}</code>
                    )}
                  </td>
                  <td data-label="Description">{s.description ?? <span class="muted">—</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      {t.parameters ? (
        <details>
          <summary>JSON Schema</summary>
          <Json value={t.parameters} label={`Parameter schema of ${t.job_type}`} />
        </details>
      ) : null}
    </section>
  );
}

/** The registered job types with their defaults and parameter schemas. */
export function JobTypesPage() {
  const { api } = useApp();
  const types = useData('types', (signal) => api.listTypes(signal));
  useEffect(() => {
    if (!types.data) return;
    const id = decodeURIComponent(window.location.hash.slice(1));
    if (id) document.getElementById(id)?.scrollIntoView();
  }, [types.data]);
  return (
    <>
      <PageTitle sub="What schedules can run: each type's defaults and the parameters it accepts.">
        Job types
      </PageTitle>
      <ErrorNotice error={types.error} what="the job types" />
      {types.data ? types.data.map((t) => <TypeCard key={t.job_type} t={t} />) : <Loading what="job types" />}
    </>
  );
}
