// The global pause for incidents (spec section 10) in the page header: a banner for everyone who can read while
// triggering is paused, and a "Pause all…" / "Resume…" control for tokens with jobs:write. Registered through the
// header extension point (lib/extensions.ts).
import { useEffect, useState } from 'preact/hooks';
import { ErrorNotice, Modal } from '../components/common.js';
import type { ApiError } from '../lib/api.js';
import { useApp } from '../lib/context.js';
import { registerGlobalControl } from '../lib/extensions.js';
import { relative } from '../lib/format.js';
import { useLive } from '../lib/live.js';
import type { PauseState } from '../lib/types.js';
import { useData } from '../lib/use-data.js';

const CHANGED = 'craft:pause-changed';

/** The pause state, reloaded with the page's live refresh and at once after this tab changed it. */
function usePause() {
  const { api, live } = useApp();
  const state = useData('global-pause', (signal) => api.getPause(signal));
  useLive(live, { kind: 'schedules' }, state.reload);
  useEffect(() => {
    const reload = () => state.reload();
    window.addEventListener(CHANGED, reload);
    return () => window.removeEventListener(CHANGED, reload);
  }, [state.reload]);
  return state;
}

/** The banner under the header while triggering is paused. */
export function PauseBanner() {
  const { data } = usePause();
  if (!data?.paused) return null;
  return (
    <div class="pause-banner" role="status">
      <strong>Triggering is paused on every replica</strong>
      {data.paused_at ? ` since ${relative(data.paused_at)}` : ''}
      {data.paused_by ? ` by ${data.paused_by}` : ''}
      {data.reason ? `: ${data.reason}` : '.'} Runs already in flight finish; no slot starts until it is
      resumed.
    </div>
  );
}

/** The header button and its dialog (only with jobs:write). */
export function PauseControl({ canUse }: { canUse: boolean }) {
  const { api, notify } = useApp();
  const { data } = usePause();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [catchUp, setCatchUp] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  if (!canUse || !data) return null;
  const act = async (work: () => Promise<PauseState>, message: string) => {
    setBusy(true);
    setError(undefined);
    try {
      await work();
      notify(message);
      setOpen(false);
      setReason('');
      setCatchUp(false);
      window.dispatchEvent(new Event(CHANGED));
    } catch (e) {
      setError(e as ApiError);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button
        type="button"
        class={`btn btn-small ${data.paused ? 'btn-primary' : 'btn-ghost'}`}
        onClick={() => setOpen(true)}
      >
        {data.paused ? 'Resume…' : 'Pause all…'}
      </button>
      {open ? (
        <Modal
          title={data.paused ? 'Resume triggering?' : 'Pause all triggering?'}
          onClose={() => setOpen(false)}
          actions={
            <>
              <button type="button" class="btn" onClick={() => setOpen(false)}>
                Cancel
              </button>
              {data.paused ? (
                <button
                  type="button"
                  class="btn btn-primary"
                  disabled={busy}
                  onClick={() => act(() => api.resumeAll(catchUp), 'Triggering resumed')}
                >
                  Resume
                </button>
              ) : (
                <button
                  type="button"
                  class="btn btn-danger"
                  disabled={busy}
                  onClick={() => act(() => api.pauseAll(reason.trim()), 'Triggering paused')}
                >
                  Pause all
                </button>
              )}
            </>
          }
        >
          {data.paused ? (
            <>
              <p>
                Slots that fell due while paused are recorded as skipped (reason “paused”), unless you catch
                them up.
              </p>
              <div class="check">
                <input
                  id="resume-catch-up"
                  type="checkbox"
                  checked={catchUp}
                  onChange={(e) => setCatchUp(e.currentTarget.checked)}
                />
                <label for="resume-catch-up">
                  Catch up: run them under each schedule’s missed-run policy
                </label>
              </div>
            </>
          ) : (
            <>
              <p>
                No replica starts any slot until you resume. Runs already in flight finish; the service stays
                ready.
              </p>
              <label for="pause-reason">Reason (shown to every operator)</label>
              <textarea
                id="pause-reason"
                rows={3}
                value={reason}
                maxLength={500}
                onInput={(e) => setReason(e.currentTarget.value)}
              />
            </>
          )}
          <ErrorNotice error={error} />
        </Modal>
      ) : null}
    </>
  );
}

/** Adds the control and its banner to the header (called once at start). */
export function registerGlobalPause(): void {
  registerGlobalControl({
    id: 'global-pause',
    scope: 'jobs:write',
    component: PauseControl,
    banner: PauseBanner,
  });
}
