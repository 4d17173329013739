// "Backfill…" on a schedule's page (spec section 10), for tokens with `jobs:run`: a range of past slots (from/to in
// the viewer's own time), a live count of the slots it holds (from the API's own preview of the schedule, so DST
// and every per-schedule option count as the scheduler counts), and the answer: the runs created and the slots that
// already had a record.
import { useEffect, useState } from 'preact/hooks';
import { ErrorNotice, Modal, StatusBadge } from '../components/common.js';
import type { ApiError } from '../lib/api.js';
import { useApp } from '../lib/context.js';
import type { ActionProps } from '../lib/extensions.js';
import { count, utc, viewerZone } from '../lib/format.js';
import { Link, runHref } from '../lib/router.js';
import type { BackfillResult, Schedule } from '../lib/types.js';

/** The default cap of the API (`max_slots`): the preview counts up to it. */
const CAP = 1000;

/** A `datetime-local` value (the viewer's wall time) as an ISO instant, or null. */
function instant(local: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(local)) return null;
  const t = new Date(local);
  return Number.isNaN(t.getTime()) ? null : t.toISOString();
}

/** `Date` → `datetime-local` value in the viewer's zone. */
function localValue(t: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${t.getFullYear()}-${p(t.getMonth() + 1)}-${p(t.getDate())}T${p(t.getHours())}:${p(t.getMinutes())}`;
}

export function BackfillAction({ target: s, refresh }: ActionProps<Schedule>) {
  const { api, notify } = useApp();
  const [open, setOpen] = useState(false);
  const now = new Date();
  const [from, setFrom] = useState(localValue(new Date(now.getTime() - 24 * 3_600_000)));
  const [to, setTo] = useState(localValue(now));
  const [concurrency, setConcurrency] = useState('1');
  const [slots, setSlots] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [result, setResult] = useState<BackfillResult | null>(null);
  const fromIso = instant(from);
  const toIso = instant(to);
  const allow = s.overlap_policy === 'allow';

  // The count, as the user types: the schedule's own preview over [from, to).
  useEffect(() => {
    if (!open || !fromIso || !toIso || fromIso >= toIso) {
      setSlots(null);
      return;
    }
    const ctl = new AbortController();
    api
      .nextRuns(s.job_name, { count: CAP, from: fromIso, until: toIso }, ctl.signal)
      .then((p) => setSlots(p.runs.length))
      .catch(() => setSlots(null));
    return () => ctl.abort();
  }, [open, fromIso, toIso, s.job_name]);

  const submit = async () => {
    if (!fromIso || !toIso) return;
    setBusy(true);
    setError(undefined);
    try {
      const r = await api.backfill(s.job_name, {
        from: fromIso,
        to: toIso,
        ...(allow ? { concurrency: Number(concurrency) } : {}),
      });
      setResult(r);
      notify(`Backfill started: ${count(r.created.length)} run${r.created.length === 1 ? '' : 's'}`);
      refresh();
    } catch (e) {
      setError(e as ApiError);
    } finally {
      setBusy(false);
    }
  };
  const close = () => {
    setOpen(false);
    setResult(null);
    setError(undefined);
  };

  return (
    <>
      <button type="button" class="btn" onClick={() => setOpen(true)}>
        Backfill…
      </button>
      {open ? (
        <Modal
          title={`Backfill ${s.job_name}`}
          onClose={close}
          actions={
            result ? (
              <button type="button" class="btn btn-primary" onClick={close}>
                Done
              </button>
            ) : (
              <>
                <button type="button" class="btn" onClick={close}>
                  Cancel
                </button>
                <button
                  type="button"
                  class="btn btn-primary"
                  disabled={busy || !fromIso || !toIso || slots === 0}
                  onClick={submit}
                >
                  Run {slots === null ? 'the' : count(slots)} slot{slots === 1 ? '' : 's'}
                </button>
              </>
            )
          }
        >
          {result ? (
            <div class="backfill-result">
              <p>
                {count(result.slot_count)} slot{result.slot_count === 1 ? '' : 's'} in the range:{' '}
                {count(result.created.length)} started, {count(result.already_recorded.length)} already
                recorded (not run again).
              </p>
              <ul aria-label="Backfill runs">
                {result.created.map((r) => (
                  <li key={r.id}>
                    <Link to={runHref(r.id)}>{utc(r.slot ?? r.created_at)}</Link>{' '}
                    <StatusBadge status={r.status} />
                  </li>
                ))}
                {result.already_recorded.map((r) => (
                  <li key={r.id}>
                    <Link to={runHref(r.id)}>{utc(r.slot ?? r.created_at)}</Link> already recorded:{' '}
                    <StatusBadge status={r.status} />
                  </li>
                ))}
              </ul>
            </div>
          ) : (
            <>
              <p>
                Every slot from <em>From</em> (included) to <em>To</em> (excluded) runs once, oldest first
                {allow ? ', up to the chosen number at a time' : ', one at a time'}. Slots that already have a
                record are not run again. Times are yours ({viewerZone}).
              </p>
              <div class="row-2">
                <label>
                  From
                  <input type="datetime-local" value={from} onInput={(e) => setFrom(e.currentTarget.value)} />
                </label>
                <label>
                  To
                  <input type="datetime-local" value={to} onInput={(e) => setTo(e.currentTarget.value)} />
                </label>
              </div>
              {allow ? (
                <label>
                  At a time (1–10)
                  <input
                    type="number"
                    min={1}
                    max={10}
                    value={concurrency}
                    onInput={(e) => setConcurrency(e.currentTarget.value)}
                  />
                </label>
              ) : null}
              <p class="backfill-count" aria-live="polite">
                {slots === null
                  ? 'Choose a range.'
                  : slots >= CAP
                    ? `${count(CAP)} slots or more: more than a backfill runs at once (narrow the range).`
                    : `${count(slots)} slot${slots === 1 ? '' : 's'} in this range (UTC ${fromIso ? utc(fromIso) : ''} – ${toIso ? utc(toIso) : ''}).`}
              </p>
              <ErrorNotice error={error} />
            </>
          )}
        </Modal>
      ) : null}
    </>
  );
}
