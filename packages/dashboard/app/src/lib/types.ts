// The API's JSON as the page reads it (apps/api/src/routes/schema.ts is the source; dates are ISO 8601 UTC).

/** Statuses of a run (spec sections 4 and 10). */
export const RUN_STATUSES = [
  'pending',
  'running',
  'succeeded',
  'failed',
  'timed_out',
  'skipped',
  'abandoned',
  'cancelled',
] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** What started a run. */
export const RUN_TRIGGERS = ['schedule', 'catch_up', 'chain', 'manual', 'backfill'] as const;
export type RunTrigger = (typeof RUN_TRIGGERS)[number];

export const MISSED_RUN_POLICIES = ['once', 'all', 'skip'] as const;

/** What a due slot does while a run of the schedule still runs (spec section 10). */
export const OVERLAP_POLICIES = ['defer', 'skip', 'allow', 'cancel_running'] as const;

export interface Schedule {
  job_name: string;
  description: string | null;
  cron_expression: string;
  is_enabled: boolean;
  job_type: string;
  parameters: Record<string, unknown>;
  max_attempts: number | null;
  timeout_seconds: number | null;
  chain: string[];
  timezone: string | null;
  missed_run_policy: string;
  catch_up_window_seconds: number | null;
  max_catch_up_runs: number;
  overlap_policy?: string;
  last_run_at: string | null;
  last_run_status: RunStatus | null;
  next_run_at: string | null;
  created_at: string | null;
  updated_at: string | null;
  /** Per-schedule control (spec section 10): shown when the API sends them. */
  paused_reason?: string | null;
  paused_at?: string | null;
  paused_by?: string | null;
  dst_gap?: DstGap;
  dst_overlap?: DstOverlap;
  jitter_seconds?: number;
  next_due_at?: string | null;
  pause_after_failures?: number | null;
  consecutive_failures?: number;
  updated_by?: string | null;
  managed_by?: string | null;
}

export const DST_GAPS = ['skip', 'shift'] as const;
export type DstGap = (typeof DST_GAPS)[number];
export const DST_OVERLAPS = ['first', 'last', 'both'] as const;
export type DstOverlap = (typeof DST_OVERLAPS)[number];

/** The global pause (GET /jobs/pause). */
export interface PauseState {
  paused: boolean;
  reason: string | null;
  paused_at: string | null;
  paused_by: string | null;
  resumed_by: string | null;
  windows: { from: string; to: string; catch_up: boolean }[];
}

export interface ScheduleList {
  items: Schedule[];
  next_cursor: string | null;
}

export interface RunErrorJson {
  name: string;
  message: string;
  code?: string;
}

export interface Attempt {
  attempt: number;
  status: string;
  started_at: string;
  finished_at: string | null;
  error: RunErrorJson | null;
  replica_id: string;
}

export interface Run {
  id: string;
  run_key: string;
  job_type: string;
  job_name: string | null;
  slot: string | null;
  trigger: RunTrigger;
  parameters: Record<string, unknown>;
  status: RunStatus;
  attempts: Attempt[];
  max_attempts: number;
  timeout_seconds: number;
  started_at: string | null;
  finished_at: string | null;
  result: unknown;
  error: RunErrorJson | null;
  parent_run_id: string | null;
  replica_id: string | null;
  lock_key: string;
  lease_owner: string | null;
  lease_expires_at: string | null;
  fencing_token: number | null;
  cancel_requested_at?: string | null;
  cancel_requested_by?: string | null;
  created_at: string;
  updated_at: string;
  /** Per-schedule control (spec section 10). */
  dst?: string | null;
  wall_time?: string | null;
  due_at?: string | null;
}

/** `POST /jobs/schedules/{name}/backfill`'s answer. */
export interface BackfillResult {
  job_name: string;
  from: string;
  to: string;
  slot_count: number;
  created: Run[];
  already_recorded: Run[];
  complete?: boolean;
}

export interface RunList {
  items: Run[];
  total: number;
  limit: number;
  offset: number;
  next_offset: number | null;
}

export interface PreviewRun {
  at: string;
  local: string;
  offset: string;
  /** Per-schedule control's DST options mark runs `shifted`, `first` or `second` (spec section 10). */
  dst?: string | null;
  /** The wall time the slot stands for (differs from `local` for a shifted slot). */
  wall_time?: string;
  /** The planned start: the slot plus its jitter offset. */
  due_at?: string;
  jitter_ms?: number;
}

export interface ShiftedSlot {
  local: string;
  reason: string;
  at: string;
  run_local: string;
  message: string;
}

export interface SkippedSlot {
  local: string;
  reason: string;
  message: string;
}

export interface Preview {
  cron_expression: string;
  description: string;
  timezone: string;
  runs: PreviewRun[];
  skipped: SkippedSlot[];
  shifted?: ShiftedSlot[];
  dst_gap?: DstGap;
  dst_overlap?: DstOverlap;
  jitter_seconds?: number;
  job_name?: string;
  is_enabled?: boolean;
}

export interface JobType {
  job_type: string;
  description: string | null;
  max_attempts: number;
  timeout_seconds: number;
  backoff: { base_ms: number; max_ms: number; jitter: boolean | number };
  parameters: JsonSchema | null;
}

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  default?: unknown;
  description?: string;
  enum?: unknown[];
  items?: JsonSchema;
  format?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  const?: unknown;
  additionalProperties?: boolean | JsonSchema;
  [key: string]: unknown;
}

/** The body of every 4xx/5xx answer. */
export interface ErrorBody {
  statusCode: number;
  code: string;
  error: string;
  message: string;
  field?: string;
  details?: Record<string, unknown>;
}

/** The fields of a schedule a user sets (POST/PUT bodies). */
export interface ScheduleInput {
  job_name?: string;
  description: string | null;
  cron_expression: string;
  is_enabled: boolean;
  job_type: string;
  parameters: Record<string, unknown>;
  max_attempts: number | null;
  timeout_seconds: number | null;
  chain: string[];
  timezone: string | null;
  missed_run_policy: string;
  catch_up_window_seconds: number | null;
  max_catch_up_runs: number;
  dst_gap: DstGap;
  dst_overlap: DstOverlap;
  jitter_seconds: number;
  pause_after_failures: number | null;
  overlap_policy?: string;
}
