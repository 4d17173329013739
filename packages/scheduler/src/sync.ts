// Schedules as code (spec section 10): apply a set of schedule definitions (a file, or code) to the store, printing a
// diff first. It owns only the fields each definition declares, never touches runtime state (`paused_*`,
// `next_run_at`, `last_run_*`, counters), and never lifts an operator's pause:
// - a definition that declares `isEnabled: true` enables a disabled schedule only when sync itself disabled it
//   (`pausedBy: 'sync'`); a schedule paused by an operator (a token's `sub`, `cli`, `code`) or by itself (`auto`)
//   stays paused, and the result says so;
// - `isEnabled: false` disables an enabled schedule (`pausedBy: 'sync'`); an already disabled one is left as it is;
// - schedules it creates or updates are marked `managedBy: 'sync'`, and `prune` deletes only marked schedules that
//   are absent from the definitions (a schedule sync never managed is reported, not deleted).
// Every definition is validated (together: chains may name each other) before anything is written.
import { InvalidFieldError } from './errors.js';
import { createSchedule, type JobSchedule, recordDatesToJson, SCHEDULE_FIELD_TO_RECORD } from './model.js';
import { type ScheduleService, userFields } from './service.js';
import type { ScheduleInput } from './validation.js';

/** What {@link syncSchedules} applies to: a scheduler (its `schedules`) or a `ScheduleService`. */
export type SyncTarget = ScheduleService | { schedules: ScheduleService };

/** Options of {@link syncSchedules}. */
export interface SyncOptions {
  /** Delete schedules marked `managedBy: 'sync'` that the definitions no longer contain. @default false */
  prune?: boolean | undefined;
  /** Compute and return the changes without writing anything. @default false */
  dryRun?: boolean | undefined;
  /** Who applies (stored as `updated_by`, and `paused_by` of what it disables). @default 'sync' */
  by?: string | undefined;
}

/** One field that changes (snake_case name; JSON values, dates as ISO strings). */
export interface SyncFieldChange {
  field: string;
  from: unknown;
  to: unknown;
}

/** What happens to one schedule. */
export interface SyncChange {
  jobName: string;
  /**
   * `create`, `update` (fields change, or an unmanaged schedule is adopted), `delete` (pruned), `unchanged`,
   * `kept-paused` (declared enabled, but paused by an operator or by itself: left paused; other fields may still
   * change, listed in `fields`) or `unmanaged` (absent from the definitions, not managed by sync: not pruned).
   */
  action: 'create' | 'update' | 'delete' | 'unchanged' | 'kept-paused' | 'unmanaged';
  fields: SyncFieldChange[];
  /** A sentence for people (who paused it and why; "adopted"). */
  note?: string;
}

/** What {@link syncSchedules} did (or would do, with `dryRun`). */
export interface SyncResult {
  changes: SyncChange[];
  /** Whether the changes were written (false for a dry run). */
  applied: boolean;
}

const SYNC = 'sync';

function json(value: unknown): unknown {
  return value === undefined ? null : recordDatesToJson(value);
}

/** JSON text with object keys sorted, so `{a, b}` and `{b, a}` compare equal. */
function stable(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([x], [y]) => (x < y ? -1 : 1)))
      : v,
  );
}

function same(a: unknown, b: unknown): boolean {
  return stable(json(a)) === stable(json(b));
}

/** The declared keys of a definition (present and not undefined), `jobName` and `isEnabled` aside. */
function declared(def: ScheduleInput): (keyof ScheduleInput)[] {
  return (Object.keys(def) as (keyof ScheduleInput)[]).filter(
    (k) => def[k] !== undefined && k !== 'jobName' && k !== 'isEnabled',
  );
}

/**
 * Applies `definitions` (camelCase schedule inputs, e.g. `scheduleInputFromRecord` of a file's records) to the
 * store: creates missing schedules, updates the fields each definition declares, enables or disables as described
 * in the file comment, and with `prune` deletes sync-managed schedules absent from the definitions. Validation errors
 * (the first, naming the field) are thrown before anything is written. Returns the changes, in the order applied.
 */
export async function syncSchedules(
  target: SyncTarget,
  definitions: readonly ScheduleInput[],
  options: SyncOptions = {},
): Promise<SyncResult> {
  const service = 'schedules' in target ? target.schedules : target;
  const by = options.by ?? SYNC;
  const names = new Set<string>();
  for (const def of definitions) {
    if (typeof def !== 'object' || def === null) {
      throw new InvalidFieldError('schedules', def, 'an object of schedule fields', {
        component: 'syncSchedules',
      });
    }
    if (names.has(def.jobName)) {
      throw new InvalidFieldError('job_name', def.jobName, 'a name used once in the definitions', {
        component: 'syncSchedules',
        noun: 'field',
        fix: 'Remove or rename the duplicate definition.',
      });
    }
    names.add(def.jobName);
  }
  const current = new Map((await service.list()).map((s) => [s.jobName, s]));
  // What each definition makes of its schedule: the stored user fields with the declared ones laid over them.
  const merged = new Map<string, ScheduleInput>();
  for (const def of definitions) {
    const cur = current.get(def.jobName);
    const base: ScheduleInput = cur
      ? userFields(cur)
      : { jobName: def.jobName, cronExpression: '', jobType: '' };
    const next: Record<string, unknown> = { ...base };
    for (const key of declared(def)) next[key] = def[key];
    next['isEnabled'] = cur ? cur.isEnabled : (def.isEnabled ?? true);
    merged.set(def.jobName, next as unknown as ScheduleInput);
  }
  // Validate all of them first; chain names resolve to the definitions, then to the store.
  const lookup = (name: string): JobSchedule | undefined => {
    const m = merged.get(name);
    return m ? createSchedule(m) : undefined;
  };
  const valid = new Map<string, ScheduleInput>();
  for (const def of definitions) {
    valid.set(def.jobName, await service.check(merged.get(def.jobName), lookup));
  }

  const changes: SyncChange[] = [];
  const work: (() => Promise<unknown>)[] = [];
  // Creates first, chain targets before the schedules that name them.
  const creates = definitions.filter((d) => !current.has(d.jobName));
  for (const def of orderByChain(creates, valid)) {
    const v = valid.get(def.jobName) as ScheduleInput;
    const fields = declared(def).map((k) => ({
      field: SCHEDULE_FIELD_TO_RECORD[k],
      from: null,
      to: json(v[k]),
    }));
    if (def.isEnabled === false) fields.push({ field: 'is_enabled', from: null, to: false });
    changes.push({ jobName: def.jobName, action: 'create', fields });
    work.push(() =>
      service.create({ ...(v as ScheduleInput), isEnabled: def.isEnabled ?? true }, { by, managedBy: SYNC }),
    );
  }
  for (const def of definitions) {
    const cur = current.get(def.jobName);
    if (!cur) continue;
    const v = valid.get(def.jobName) as ScheduleInput;
    const patch: Record<string, unknown> = {};
    const fields: SyncFieldChange[] = [];
    for (const key of declared(def)) {
      const before = (cur as unknown as Record<string, unknown>)[key];
      const after = v[key];
      if (!same(before, after)) {
        patch[key] = after;
        fields.push({ field: SCHEDULE_FIELD_TO_RECORD[key], from: json(before), to: json(after) });
      }
    }
    let action: SyncChange['action'] = fields.length > 0 ? 'update' : 'unchanged';
    let note: string | undefined;
    let toggle: 'enable' | 'disable' | null = null;
    if (def.isEnabled === true && !cur.isEnabled) {
      if (cur.pausedBy === SYNC) {
        toggle = 'enable';
        fields.push({ field: 'is_enabled', from: false, to: true });
        action = 'update';
      } else {
        action = 'kept-paused';
        note = `paused by ${cur.pausedBy ?? 'someone'}${cur.pausedReason ? ` (${cur.pausedReason})` : ''}; it stays paused until enabled by hand`;
      }
    } else if (def.isEnabled === false && cur.isEnabled) {
      toggle = 'disable';
      fields.push({ field: 'is_enabled', from: true, to: false });
      action = 'update';
    }
    const adopt = cur.managedBy !== SYNC;
    if (adopt && action === 'unchanged') {
      action = 'update';
      note = 'adopted: now managed by sync (prune may delete it once it leaves the definitions)';
    }
    changes.push({ jobName: def.jobName, action, fields, ...(note ? { note } : {}) });
    if (Object.keys(patch).length > 0 || adopt) {
      work.push(() => service.patch(def.jobName, patch, { by, managedBy: SYNC }));
    }
    if (toggle === 'enable') work.push(() => service.enable(def.jobName, { by }));
    if (toggle === 'disable') {
      work.push(() =>
        service.disable(def.jobName, { by, reason: 'is_enabled: false in the applied schedule definitions' }),
      );
    }
  }
  for (const cur of current.values()) {
    if (names.has(cur.jobName)) continue;
    if (cur.managedBy === SYNC && options.prune) {
      changes.push({ jobName: cur.jobName, action: 'delete', fields: [] });
      work.push(() => service.delete(cur.jobName));
    } else if (options.prune) {
      changes.push({
        jobName: cur.jobName,
        action: 'unmanaged',
        fields: [],
        note: 'not in the definitions and not managed by sync: left as it is',
      });
    }
  }
  if (options.dryRun) return { changes, applied: false };
  for (const step of work) await step();
  return { changes, applied: true };
}

/** `defs` ordered so that a schedule named in another's chain comes first (stable otherwise; cycles were rejected). */
function orderByChain(defs: readonly ScheduleInput[], valid: Map<string, ScheduleInput>): ScheduleInput[] {
  const byName = new Map(defs.map((d) => [d.jobName, d]));
  const out: ScheduleInput[] = [];
  const seen = new Set<string>();
  const visit = (d: ScheduleInput) => {
    if (seen.has(d.jobName)) return;
    seen.add(d.jobName);
    for (const name of valid.get(d.jobName)?.chain ?? []) {
      const target = byName.get(name);
      if (target) visit(target);
    }
    out.push(d);
  };
  for (const d of defs) visit(d);
  return out;
}
