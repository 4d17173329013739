import { useEffect, useMemo, useState } from 'preact/hooks';
import { ErrorNotice, Loading, PageTitle } from '../components/common.js';
import { ControlFields } from '../components/control-fields.js';
import { describedBy, Field } from '../components/field.js';
import { NextRunsTable } from '../components/next-runs.js';
import type { ApiError } from '../lib/api.js';
import { can } from '../lib/auth.js';
import { useApp } from '../lib/context.js';
import { knownZones } from '../lib/format.js';
import { Link, navigate, scheduleHref } from '../lib/router.js';
import {
  type JobType,
  MISSED_RUN_POLICIES,
  OVERLAP_POLICIES,
  type Schedule,
  type ScheduleInput,
} from '../lib/types.js';
import { useData, useDebounced } from '../lib/use-data.js';
import { useDefaultZone } from '../lib/zone.js';

interface Form {
  job_name: string;
  description: string;
  cron_expression: string;
  timezone: string;
  job_type: string;
  is_enabled: boolean;
  parameters: string;
  max_attempts: string;
  timeout_seconds: string;
  chain: string;
  missed_run_policy: string;
  catch_up_window_seconds: string;
  max_catch_up_runs: string;
  dst_gap: string;
  dst_overlap: string;
  jitter_seconds: string;
  pause_after_failures: string;
  overlap_policy: string;
}

type Errors = Partial<Record<keyof Form | 'form', string>>;

const EMPTY: Form = {
  job_name: '',
  description: '',
  cron_expression: '0 3 * * *',
  timezone: '',
  job_type: '',
  is_enabled: true,
  parameters: '{}',
  max_attempts: '',
  timeout_seconds: '',
  chain: '',
  missed_run_policy: 'once',
  catch_up_window_seconds: '',
  max_catch_up_runs: '10',
  dst_gap: 'skip',
  dst_overlap: 'first',
  jitter_seconds: '',
  pause_after_failures: '',
  overlap_policy: 'defer',
};

function fromSchedule(s: Schedule): Form {
  const n = (v: number | null) => (v === null ? '' : String(v));
  return {
    job_name: s.job_name,
    description: s.description ?? '',
    cron_expression: s.cron_expression,
    timezone: s.timezone ?? '',
    job_type: s.job_type,
    is_enabled: s.is_enabled,
    parameters: JSON.stringify(s.parameters, null, 2),
    max_attempts: n(s.max_attempts),
    timeout_seconds: n(s.timeout_seconds),
    chain: s.chain.join(', '),
    missed_run_policy: s.missed_run_policy,
    catch_up_window_seconds: n(s.catch_up_window_seconds),
    max_catch_up_runs: String(s.max_catch_up_runs),
    dst_gap: s.dst_gap ?? 'skip',
    dst_overlap: s.dst_overlap ?? 'first',
    jitter_seconds: s.jitter_seconds ? String(s.jitter_seconds) : '',
    pause_after_failures: n(s.pause_after_failures ?? null),
    overlap_policy: s.overlap_policy ?? 'defer',
  };
}

/** The request body, or the field errors the browser can tell before asking (JSON syntax, whole numbers). */
function toInput(f: Form, creating: boolean): { input: ScheduleInput } | { errors: Errors } {
  const errors: Errors = {};
  let parameters: Record<string, unknown> = {};
  try {
    const parsed: unknown = f.parameters.trim() === '' ? {} : JSON.parse(f.parameters);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
      errors.parameters = 'Parameters must be a JSON object, e.g. {"url": "https://…"}.';
    else parameters = parsed as Record<string, unknown>;
  } catch (e) {
    errors.parameters = `Parameters are not valid JSON: ${(e as Error).message}`;
  }
  const int = (key: keyof Form, min: number): number | null => {
    const raw = String(f[key]).trim();
    if (raw === '') return null;
    if (!/^\d+$/.test(raw) || Number(raw) < min) {
      errors[key] = `Enter a whole number of at least ${min}, or leave it empty.`;
      return null;
    }
    return Number(raw);
  };
  const input: ScheduleInput = {
    ...(creating ? { job_name: f.job_name.trim() } : {}),
    description: f.description.trim() === '' ? null : f.description.trim(),
    cron_expression: f.cron_expression.trim(),
    is_enabled: f.is_enabled,
    job_type: f.job_type,
    parameters,
    max_attempts: int('max_attempts', 1),
    timeout_seconds: int('timeout_seconds', 1),
    chain: f.chain
      .split(/[\s,]+/)
      .map((c) => c.trim())
      .filter(Boolean),
    timezone: f.timezone.trim() === '' ? null : f.timezone.trim(),
    missed_run_policy: f.missed_run_policy,
    catch_up_window_seconds: int('catch_up_window_seconds', 0),
    max_catch_up_runs: int('max_catch_up_runs', 1) ?? 10,
    dst_gap: f.dst_gap as ScheduleInput['dst_gap'],
    dst_overlap: f.dst_overlap as ScheduleInput['dst_overlap'],
    jitter_seconds: int('jitter_seconds', 0) ?? 0,
    pause_after_failures: int('pause_after_failures', 1),
    // Sent whole (PUT replaces the user fields): an edit keeps the schedule's overlap policy.
    overlap_policy: f.overlap_policy,
  };
  return Object.keys(errors).length > 0 ? { errors } : { input };
}

/** The form field an API error belongs to (`parameters.url` → parameters). */
function fieldOf(error: ApiError): keyof Form | 'form' {
  const f = (error.field ?? '').split('.')[0] as keyof Form;
  if (error.code === 'CRAFT_SCHEDULER_SCHEDULE_EXISTS') return 'job_name';
  return f && f in EMPTY ? f : 'form';
}

function errorText(error: ApiError): string {
  const issues = error.details?.['issues'];
  if (Array.isArray(issues) && issues.length > 0) {
    return `${error.message} ${(issues as { path?: string; message?: string }[]).map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`;
  }
  return error.message;
}

function defaultsOf(t: JobType | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, p] of Object.entries(t?.parameters?.properties ?? {}))
    if (p.default !== undefined) out[k] = p.default;
  return out;
}

/** What the live preview depends on, as one key (cron, zone, DST choices, jitter and the name it hashes). */
function previewKey(f: Form | null): string {
  if (!f) return '\u0000\u0000skip\u0000first\u0000\u0000';
  const jitter = /^\d+$/.test(f.jitter_seconds.trim()) ? f.jitter_seconds.trim() : '';
  return [
    f.cron_expression.trim(),
    f.timezone.trim(),
    f.dst_gap,
    f.dst_overlap,
    jitter,
    f.job_name.trim(),
  ].join('\u0000');
}

/**
 * Live description and next runs of the schedule being typed, from the API (its own validation): the DST choices
 * and the jitter show in the preview (jittered starts need the name, which the offsets are computed from).
 */
function useCronPreview({ form, defaultZone }: { form: Form | null; defaultZone: string | undefined }) {
  const { api } = useApp();
  const key = useDebounced(previewKey(form), 300);
  const [c, tz, gap, overlap, jitter, name] = key.split('\u0000') as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const jitterSeconds = name && jitter ? Number(jitter) : 0;
  const preview = useData(`p:${key}`, (signal) =>
    c === ''
      ? Promise.resolve(null)
      : api.previewCron(
          {
            cron_expression: c,
            ...(tz ? { timezone: tz } : {}),
            count: 10,
            dst_gap: gap,
            dst_overlap: overlap,
            ...(jitterSeconds > 0 ? { jitter_seconds: jitterSeconds, job_name: name } : {}),
          },
          signal,
        ),
  );
  return { preview, key, expression: c, zone: tz || defaultZone || '' };
}

/** Create or edit a schedule: every field, the cron explained and previewed as you type, the API's errors at the field. */
export function ScheduleFormPage({ name, query }: { name: string | null; query: URLSearchParams }) {
  const { api, session, notify } = useApp();
  const creating = name === null;
  const defaultZone = useDefaultZone(api);
  const types = useData('types', (signal) => api.listTypes(signal));
  const existing = useData(`edit:${name}`, (signal) =>
    name === null ? Promise.resolve(null) : api.getSchedule(name, signal),
  );
  const [form, setForm] = useState<Form | null>(null);
  const [errors, setErrors] = useState<Errors>({});
  const [saving, setSaving] = useState(false);
  const zones = useMemo(knownZones, []);

  useEffect(() => {
    if (form) return;
    if (creating && types.data)
      setForm({ ...EMPTY, job_type: query.get('job_type') ?? types.data[0]?.job_type ?? '' });
    else if (existing.data) setForm(fromSchedule(existing.data));
  }, [creating, types.data, existing.data, form, query]);

  const live = useCronPreview({ form, defaultZone });
  // An error of the preview belongs to what was previewed: while the user types on, it is not shown.
  const current = previewKey(form);
  const previewError = live.key === current ? live.preview.error : undefined;
  const cronError =
    errors.cron_expression ??
    (previewError && fieldOf(previewError) === 'cron_expression' ? errorText(previewError) : undefined);
  const zoneError =
    errors.timezone ??
    (previewError && fieldOf(previewError) === 'timezone' ? errorText(previewError) : undefined);

  if (!can(session, 'jobs:write')) {
    return (
      <>
        <PageTitle>{creating ? 'New schedule' : `Edit ${name}`}</PageTitle>
        <div class="notice notice-warn">
          Your token is read-only here: changing schedules needs the jobs:write scope.
        </div>
      </>
    );
  }
  if (existing.error) return <ErrorNotice error={existing.error} what="the schedule" />;
  if (!form) return <Loading what="the form" />;

  const set = <K extends keyof Form>(key: K, value: Form[K]) => {
    setForm({ ...form, [key]: value });
    if (errors[key]) setErrors({ ...errors, [key]: undefined });
  };
  const type = types.data?.find((t) => t.job_type === form.job_type);
  const props = Object.entries(type?.parameters?.properties ?? {});

  const submit = async (e: Event) => {
    e.preventDefault();
    const checked = toInput(form, creating);
    if ('errors' in checked) {
      setErrors(checked.errors);
      return;
    }
    const { input } = checked;
    setSaving(true);
    setErrors({});
    try {
      const saved = name === null ? await api.createSchedule(input) : await api.replaceSchedule(name, input);
      notify(creating ? `Created ${saved.job_name}` : `Saved ${saved.job_name}`);
      navigate(scheduleHref(saved.job_name));
    } catch (err) {
      const error = err as ApiError;
      setErrors({ [fieldOf(error)]: errorText(error) });
    } finally {
      setSaving(false);
    }
  };

  const p = live.preview.data;
  return (
    <>
      <nav class="crumbs" aria-label="Breadcrumb">
        <Link to="">Schedules</Link> <span aria-hidden="true">/</span>{' '}
        {name === null ? <span>New</span> : <Link to={scheduleHref(name)}>{name}</Link>}
      </nav>
      <PageTitle>{creating ? 'New schedule' : `Edit ${name}`}</PageTitle>
      <form class="schedule-form" onSubmit={submit} noValidate>
        {errors.form ? (
          <div class="notice notice-error" role="alert">
            {errors.form}
          </div>
        ) : null}
        <div class="form-layout">
          <div class="form-main">
            <fieldset class="card">
              <legend>What and when</legend>
              <Field
                id="job_name"
                label="Name"
                error={errors.job_name}
                hint={creating ? 'Unique; it cannot change later.' : 'A schedule cannot be renamed.'}
              >
                <input
                  {...describedBy('job_name', errors.job_name)}
                  value={form.job_name}
                  readOnly={!creating}
                  required
                  maxLength={200}
                  autoComplete="off"
                  onInput={(e) => set('job_name', e.currentTarget.value)}
                />
              </Field>
              <Field
                id="description"
                label="Description"
                error={errors.description}
                hint="Optional: what it does and who owns it."
              >
                <textarea
                  {...describedBy('description', errors.description)}
                  rows={2}
                  maxLength={2000}
                  value={form.description}
                  onInput={(e) => set('description', e.currentTarget.value)}
                />
              </Field>
              <div class="row-2">
                <Field
                  id="cron_expression"
                  label="Cron expression"
                  error={cronError}
                  hint={
                    <>
                      minute hour day-of-month month day-of-week · weekdays are ISO: 0 = Monday … 6 = Sunday
                    </>
                  }
                >
                  <input
                    {...describedBy('cron_expression', cronError)}
                    class="mono"
                    value={form.cron_expression}
                    required
                    autoComplete="off"
                    spellcheck={false}
                    onInput={(e) => set('cron_expression', e.currentTarget.value)}
                  />
                </Field>
                <Field
                  id="timezone"
                  label="Timezone"
                  error={zoneError}
                  hint={`IANA zone; empty: the scheduler's${defaultZone ? ` (${defaultZone})` : ''}.`}
                >
                  <input
                    {...describedBy('timezone', zoneError)}
                    list="zones"
                    value={form.timezone}
                    placeholder={defaultZone ?? 'Europe/Stockholm'}
                    autoComplete="off"
                    spellcheck={false}
                    onInput={(e) => set('timezone', e.currentTarget.value)}
                  />
                  <datalist id="zones">
                    {zones.map((z) => (
                      <option key={z} value={z} />
                    ))}
                  </datalist>
                </Field>
              </div>
              <p class="cron-words" aria-live="polite" id="cron-description">
                {p && !previewError
                  ? p.description
                  : live.expression === ''
                    ? 'Type an expression.'
                    : previewError
                      ? ''
                      : '…'}
              </p>
              <div class="check">
                <input
                  id="is_enabled"
                  type="checkbox"
                  checked={form.is_enabled}
                  onChange={(e) => set('is_enabled', e.currentTarget.checked)}
                />
                <label for="is_enabled">Enabled (runs on schedule)</label>
              </div>
            </fieldset>
            <fieldset class="card">
              <legend>Job</legend>
              <Field
                id="job_type"
                label="Job type"
                error={errors.job_type}
                hint={type?.description ?? undefined}
              >
                <select
                  {...describedBy('job_type', errors.job_type, Boolean(type?.description))}
                  value={form.job_type}
                  onChange={(e) => set('job_type', e.currentTarget.value)}
                >
                  {(types.data ?? []).map((t) => (
                    <option key={t.job_type} value={t.job_type}>
                      {t.job_type}
                    </option>
                  ))}
                </select>
              </Field>
              <Field
                id="parameters"
                label="Parameters (JSON)"
                error={errors.parameters}
                wide
                hint={
                  props.length > 0 ? (
                    <>
                      {type?.job_type} takes:{' '}
                      {props.map(([k, s], i) => (
                        <span key={k}>
                          {i > 0 ? ', ' : ''}
                          <code>{k}</code>
                          {type?.parameters?.required?.includes(k) ? ' (required)' : ''}
                          {s.default !== undefined ? ` = ${JSON.stringify(s.default)}` : ''}
                        </span>
                      ))}
                      . <Link to={`types#type-${type?.job_type}`}>Schema</Link>
                    </>
                  ) : (
                    'This job type declares no parameter schema.'
                  )
                }
              >
                <textarea
                  {...describedBy('parameters', errors.parameters)}
                  class="mono"
                  rows={6}
                  spellcheck={false}
                  value={form.parameters}
                  onInput={(e) => set('parameters', e.currentTarget.value)}
                />
              </Field>
              {props.some(([, s]) => s.default !== undefined) ? (
                <button
                  type="button"
                  class="btn btn-small"
                  onClick={() => set('parameters', JSON.stringify(defaultsOf(type), null, 2))}
                >
                  Fill in the defaults
                </button>
              ) : null}
              <div class="row-2">
                <Field
                  id="max_attempts"
                  label="Max attempts"
                  error={errors.max_attempts}
                  hint={`Empty: the job's default${type ? ` (${type.max_attempts})` : ''}.`}
                >
                  <input
                    {...describedBy('max_attempts', errors.max_attempts)}
                    inputMode="numeric"
                    value={form.max_attempts}
                    onInput={(e) => set('max_attempts', e.currentTarget.value)}
                  />
                </Field>
                <Field
                  id="timeout_seconds"
                  label="Timeout per attempt (s)"
                  error={errors.timeout_seconds}
                  hint={`Empty: the job's default${type ? ` (${type.timeout_seconds} s)` : ''}.`}
                >
                  <input
                    {...describedBy('timeout_seconds', errors.timeout_seconds)}
                    inputMode="numeric"
                    value={form.timeout_seconds}
                    onInput={(e) => set('timeout_seconds', e.currentTarget.value)}
                  />
                </Field>
              </div>
              <Field
                id="chain"
                label="Then run"
                error={errors.chain}
                hint="Schedules (else job types) to run after a successful run, in order; separate with commas."
              >
                <input
                  {...describedBy('chain', errors.chain)}
                  value={form.chain}
                  autoComplete="off"
                  onInput={(e) => set('chain', e.currentTarget.value)}
                />
              </Field>
            </fieldset>
            <ControlFields
              values={form}
              errors={{
                dst_gap: errors.dst_gap,
                dst_overlap: errors.dst_overlap,
                jitter_seconds:
                  errors.jitter_seconds ??
                  (previewError && fieldOf(previewError) === 'jitter_seconds'
                    ? errorText(previewError)
                    : undefined),
                pause_after_failures: errors.pause_after_failures,
              }}
              set={(key, value) => set(key, value)}
            />
            <fieldset class="card">
              <legend>Missed runs</legend>
              <div class="row-3">
                <Field
                  id="missed_run_policy"
                  label="Policy"
                  error={errors.missed_run_policy}
                  hint="once: the latest missed slot; all: each (up to the cap); skip: none."
                >
                  <select
                    {...describedBy('missed_run_policy', errors.missed_run_policy)}
                    value={form.missed_run_policy}
                    onChange={(e) => set('missed_run_policy', e.currentTarget.value)}
                  >
                    {MISSED_RUN_POLICIES.map((m) => (
                      <option key={m} value={m}>
                        {m}
                      </option>
                    ))}
                  </select>
                </Field>
                <Field
                  id="catch_up_window_seconds"
                  label="Catch-up window (s)"
                  error={errors.catch_up_window_seconds}
                  hint="Older missed slots are skipped; empty: no limit."
                >
                  <input
                    {...describedBy('catch_up_window_seconds', errors.catch_up_window_seconds)}
                    inputMode="numeric"
                    value={form.catch_up_window_seconds}
                    onInput={(e) => set('catch_up_window_seconds', e.currentTarget.value)}
                  />
                </Field>
                <Field
                  id="max_catch_up_runs"
                  label="Max catch-up runs"
                  error={errors.max_catch_up_runs}
                  hint="With policy all."
                >
                  <input
                    {...describedBy('max_catch_up_runs', errors.max_catch_up_runs)}
                    inputMode="numeric"
                    value={form.max_catch_up_runs}
                    onInput={(e) => set('max_catch_up_runs', e.currentTarget.value)}
                  />
                </Field>
              </div>
              <Field
                id="overlap_policy"
                label="While a run still runs"
                error={errors.overlap_policy}
                hint="defer: the next slot waits; skip: it is skipped; allow: runs overlap; cancel_running: the running one is cancelled."
              >
                <select
                  {...describedBy('overlap_policy', errors.overlap_policy)}
                  value={form.overlap_policy}
                  onChange={(e) => set('overlap_policy', e.currentTarget.value)}
                >
                  {OVERLAP_POLICIES.map((m) => (
                    <option key={m} value={m}>
                      {m}
                    </option>
                  ))}
                </select>
              </Field>
            </fieldset>
          </div>
          <aside class="form-side card" aria-labelledby="preview-h">
            <h2 id="preview-h">Preview</h2>
            {p && !previewError ? (
              <>
                <p class="preview-words">
                  <strong>{p.description}</strong>, in {p.timezone}
                </p>
                <NextRunsTable preview={p} caption="Next 10 runs" compact />
                {p.skipped.length > 0 ? (
                  <p class="notice notice-dst" role="note">
                    {p.skipped.length === 1 ? 'One slot falls' : `${p.skipped.length} slots fall`} in a
                    daylight-saving gap and will not run that day.
                  </p>
                ) : null}
                {(p.shifted?.length ?? 0) > 0 ? (
                  <p class="notice notice-dst" role="note">
                    {p.shifted?.length === 1 ? 'One slot falls' : `${p.shifted?.length} slots fall`} in a
                    daylight-saving gap and will run at the end of it (shifted).
                  </p>
                ) : null}
                {p.runs.some((r) => r.dst === 'second') && p.dst_overlap === 'both' ? (
                  <p class="notice notice-dst" role="note">
                    A repeated wall time runs twice when the clocks go back (both occurrences).
                  </p>
                ) : null}
                {(p.jitter_seconds ?? 0) > 0 ? (
                  <p class="muted" role="note">
                    Runs start up to {p.jitter_seconds} s after their slot (jitter); the planned starts are
                    shown.
                  </p>
                ) : form.jitter_seconds.trim() !== '' &&
                  form.jitter_seconds.trim() !== '0' &&
                  !form.job_name.trim() ? (
                  <p class="muted" role="note">
                    Enter the name to preview the jittered starts: the offsets are computed from it.
                  </p>
                ) : null}
              </>
            ) : previewError ? (
              <p class="muted">Fix the expression to see its next runs.</p>
            ) : (
              <Loading what="the preview" />
            )}
          </aside>
        </div>
        <div class="form-actions">
          <button type="submit" class="btn btn-primary" disabled={saving}>
            {saving ? 'Saving…' : creating ? 'Create schedule' : 'Save changes'}
          </button>
          <Link to={name === null ? '' : scheduleHref(name)} class="btn">
            Cancel
          </Link>
        </div>
      </form>
    </>
  );
}
