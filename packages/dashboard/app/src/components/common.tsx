import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import type { ApiError } from '../lib/api.js';
import { relative, utc, zoned } from '../lib/format.js';

const STATUS_TEXT: Record<string, string> = {
  pending: 'Pending',
  running: 'Running',
  succeeded: 'Succeeded',
  failed: 'Failed',
  timed_out: 'Timed out',
  skipped: 'Skipped',
  abandoned: 'Abandoned',
  cancelled: 'Cancelled',
};

/** A run status as a coloured label (the text says it; colour only helps). */
export function StatusBadge({ status }: { status: string | null }) {
  if (status === null) return <span class="badge badge-none">Never ran</span>;
  return <span class={`badge badge-${status}`}>{STATUS_TEXT[status] ?? status}</span>;
}

/** Enabled / Disabled (with the pause reason when the API gives one). */
export function EnabledBadge({ enabled, reason }: { enabled: boolean; reason?: string | null | undefined }) {
  return enabled ? (
    <span class="badge badge-enabled">Enabled</span>
  ) : (
    <span class="badge badge-disabled" title={reason ?? undefined}>
      {reason ? 'Paused' : 'Disabled'}
    </span>
  );
}

/** An API failure as a sentence: 403 names the missing scope, network failures say so. */
export function ErrorNotice({ error, what }: { error: ApiError | undefined; what?: string }) {
  if (!error) return null;
  let title = what ? `Could not load ${what}` : 'Something went wrong';
  if (error.status === 403) title = 'Your token does not allow this';
  if (error.status === 404) title = 'Not found';
  if (error.status === 0) title = 'The API did not answer';
  return (
    <div class="notice notice-error" role="alert">
      <strong>{title}.</strong> {error.message}
      {error.status >= 500 ? ' (see the service log)' : ''}
    </div>
  );
}

/** An instant in a zone with its offset, and UTC underneath. */
export function ZonedTime({
  at,
  zone,
  showRelative = false,
  weekday = false,
}: {
  at: string | null | undefined;
  zone: string;
  showRelative?: boolean;
  weekday?: boolean;
}) {
  if (!at) return <span class="muted">—</span>;
  const z = zoned(at, zone);
  return (
    <span class="zoned">
      <time dateTime={at} class="zoned-local">
        {weekday ? `${z.weekday} ` : ''}
        {z.date} {z.time} <span class="offset">{z.offset}</span>
      </time>
      <span class="zoned-utc">
        {utc(at)}
        {showRelative ? ` · ${relative(at)}` : ''}
      </span>
    </span>
  );
}

/** A JSON value, pretty-printed, in a region that scrolls (and so must be reachable by keyboard). */
export function Json({ value, label }: { value: unknown; label: string }) {
  return (
    <section class="json" aria-label={label}>
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must take focus to scroll by keyboard (WCAG 2.1.1) */}
      <pre tabIndex={0}>{JSON.stringify(value, null, 2)}</pre>
    </section>
  );
}

/** A modal dialog (native `<dialog>`: focus stays inside, Escape closes). */
export function Modal({
  title,
  onClose,
  children,
  actions,
}: {
  title: string;
  onClose: () => void;
  children: ComponentChildren;
  actions: ComponentChildren;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
    return () => d?.close();
  }, []);
  return (
    <dialog
      ref={ref}
      class="modal"
      aria-labelledby="modal-title"
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <form
        method="dialog"
        onSubmit={(e) => {
          e.preventDefault();
        }}
      >
        <h2 id="modal-title">{title}</h2>
        <div class="modal-body">{children}</div>
        <div class="modal-actions">{actions}</div>
      </form>
    </dialog>
  );
}

/** Page heading that takes focus after navigation (screen readers announce the new page). */
export function PageTitle({ children, sub }: { children: ComponentChildren; sub?: ComponentChildren }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    ref.current?.focus({ preventScroll: true });
  }, []);
  return (
    <div class="page-title">
      <h1 ref={ref} tabIndex={-1}>
        {children}
      </h1>
      {sub ? <div class="page-sub">{sub}</div> : null}
    </div>
  );
}

/** Loading placeholder. */
export function Loading({ what }: { what: string }) {
  return (
    <p class="muted" role="status">
      Loading {what}…
    </p>
  );
}

/** A wide table's frame: scrolls sideways when the screen is narrow, and can take focus to scroll by keyboard. */
export function TableWrap({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must take focus to scroll by keyboard (WCAG 2.1.1)
    <section class="table-wrap" aria-label={label} tabIndex={0}>
      {children}
    </section>
  );
}
