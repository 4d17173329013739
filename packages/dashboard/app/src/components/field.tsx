import type { ComponentChildren } from 'preact';

/** A labelled form field with its hint and its error (announced, and tied to the input by aria-describedby). */
export function Field({
  id,
  label,
  hint,
  error,
  children,
  wide = false,
}: {
  id: string;
  label: string;
  hint?: ComponentChildren;
  error?: string | undefined;
  children: ComponentChildren;
  wide?: boolean;
}) {
  return (
    <div class={`field${wide ? ' field-wide' : ''}${error ? ' has-error' : ''}`}>
      <label for={id}>{label}</label>
      {children}
      {hint ? (
        <div id={`${id}-hint`} class="hint">
          {hint}
        </div>
      ) : null}
      {error ? (
        <div id={`${id}-error`} class="field-error" role="alert">
          {error}
        </div>
      ) : null}
    </div>
  );
}

/** The aria attributes an input of {@link Field} needs. */
export function describedBy(id: string, error: string | undefined, hint = true) {
  const ids = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return { id, 'aria-invalid': error ? true : undefined, 'aria-describedby': ids || undefined } as const;
}
