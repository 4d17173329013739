// "Cancel run" on a pending or running run (spec section 10), for tokens with `jobs:run`: a pending run nobody holds
// is cancelled at once; otherwise the replica running it stops it (at its next lease renewal at the latest) and the
// page shows the request until the run is recorded cancelled.
import { useState } from 'preact/hooks';
import { ErrorNotice, Modal } from '../components/common.js';
import type { ApiError } from '../lib/api.js';
import { useApp } from '../lib/context.js';
import type { ActionProps } from '../lib/extensions.js';
import { utc } from '../lib/format.js';
import type { Run } from '../lib/types.js';

export function CancelRunAction({ target: r, refresh }: ActionProps<Run>) {
  const { api, notify } = useApp();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  if (r.status !== 'pending' && r.status !== 'running') return null;
  if (r.cancel_requested_at) {
    return (
      <span class="badge badge-pending" title={`Requested by ${r.cancel_requested_by ?? 'unknown'}`}>
        Cancel requested {utc(r.cancel_requested_at)}
      </span>
    );
  }
  const cancel = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const after = await api.cancelRun(r.id);
      notify(
        after.status === 'cancelled'
          ? 'Run cancelled'
          : 'Cancel requested: the replica running it stops it at its next lease renewal',
      );
      setOpen(false);
      refresh();
    } catch (e) {
      setError(e as ApiError);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button type="button" class="btn btn-danger" onClick={() => setOpen(true)}>
        Cancel run…
      </button>
      {open ? (
        <Modal
          title="Cancel this run?"
          onClose={() => setOpen(false)}
          actions={
            <>
              <button type="button" class="btn" onClick={() => setOpen(false)}>
                Keep it
              </button>
              <button type="button" class="btn btn-danger" disabled={busy} onClick={cancel}>
                Cancel run
              </button>
            </>
          }
        >
          <p>
            {r.status === 'pending'
              ? 'It will not start.'
              : 'Its handler is asked to stop (its signal aborts) on the replica running it, at that replica’s next lease renewal at the latest; the run is then recorded cancelled.'}{' '}
            It is not retried and its chain does not run.
          </p>
          <ErrorNotice error={error} />
        </Modal>
      ) : null}
    </>
  );
}
