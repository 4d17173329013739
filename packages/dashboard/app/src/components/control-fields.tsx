// The per-schedule control fields of the schedule form (spec section 10): what happens at DST changes, the jitter of
// each run's start, and the pause after consecutive failures. Their effect shows in the form's live preview.
import { DST_GAPS, DST_OVERLAPS } from '../lib/types.js';
import { describedBy, Field } from './field.js';

/** The form values of the control fields (text as typed). */
export interface ControlValues {
  dst_gap: string;
  dst_overlap: string;
  jitter_seconds: string;
  pause_after_failures: string;
}

const GAP_TEXT: Record<string, string> = {
  skip: 'skip: a wall time that does not exist (clocks jump forward) does not run that day',
  shift: 'shift: it runs once at the first minute after the jump',
};
const OVERLAP_TEXT: Record<string, string> = {
  first: 'first: a wall time that happens twice (clocks go back) runs at its first occurrence',
  last: 'last: at its second occurrence',
  both: 'both: at both (for interval schedules such as */15; a daily time really runs twice)',
};

/** The "Time changes, jitter and failures" fieldset. */
export function ControlFields({
  values,
  errors,
  set,
}: {
  values: ControlValues;
  errors: Partial<Record<keyof ControlValues, string | undefined>>;
  set: (key: keyof ControlValues, value: string) => void;
}) {
  return (
    <fieldset class="card">
      <legend>Time changes, jitter and failures</legend>
      <div class="row-2">
        <Field
          id="dst_gap"
          label="Spring forward (DST gap)"
          error={errors.dst_gap}
          hint={GAP_TEXT[values.dst_gap]}
        >
          <select
            {...describedBy('dst_gap', errors.dst_gap)}
            value={values.dst_gap}
            onChange={(e) => set('dst_gap', e.currentTarget.value)}
          >
            {DST_GAPS.map((g) => (
              <option key={g} value={g}>
                {g}
              </option>
            ))}
          </select>
        </Field>
        <Field
          id="dst_overlap"
          label="Fall back (repeated hour)"
          error={errors.dst_overlap}
          hint={OVERLAP_TEXT[values.dst_overlap]}
        >
          <select
            {...describedBy('dst_overlap', errors.dst_overlap)}
            value={values.dst_overlap}
            onChange={(e) => set('dst_overlap', e.currentTarget.value)}
          >
            {DST_OVERLAPS.map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
          </select>
        </Field>
      </div>
      <div class="row-2">
        <Field
          id="jitter_seconds"
          label="Jitter (s)"
          error={errors.jitter_seconds}
          hint="Each run starts up to this many seconds after its slot (the same offset on every replica); 0–3600, less than the gap between slots."
        >
          <input
            {...describedBy('jitter_seconds', errors.jitter_seconds)}
            inputMode="numeric"
            value={values.jitter_seconds}
            placeholder="0"
            onInput={(e) => set('jitter_seconds', e.currentTarget.value)}
          />
        </Field>
        <Field
          id="pause_after_failures"
          label="Pause after failures"
          error={errors.pause_after_failures}
          hint="Disable it after this many failed, timed-out or abandoned runs in a row; empty: never."
        >
          <input
            {...describedBy('pause_after_failures', errors.pause_after_failures)}
            inputMode="numeric"
            value={values.pause_after_failures}
            onInput={(e) => set('pause_after_failures', e.currentTarget.value)}
          />
        </Field>
      </div>
    </fieldset>
  );
}
