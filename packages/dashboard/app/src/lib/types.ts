// The API's JSON as the page reads it (apps/api/src/routes/schema.ts is the source; dates are ISO 8601 UTC).

/** Statuses of a run (spec section 4; `cancelled` arrives with per-schedule control). */
export const RUN_STATUSES = [
  'pending',
  'running',
  'succeeded',
  'failed',
  'timed_out',
  'skipped',
  'abandoned',
] as const;
export type RunStatus = (typeof RUN_STATUSES)[number] | 'cancelled';

/** What started a run. */
export const RUN_TRIGGERS = ['schedule', 'catch_up', 'chain', 'manual'] as const;
export type RunTrigger = (typeof RUN_TRIGGERS)[number] | 'backfill';

export const MISSED_RUN_POLICIES = ['once', 'all', 'skip'] as const;

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
  last_run_at: string | null;
  last_run_status: RunStatus | null;
  next_run_at: string | null;
  created_at: string | null;
  updated_at: string | null;
  /** Per-schedule control (spec section 10): shown when the API sends them. */
  paused_reason?: string | null;
  paused_at?: string | null;
  paused_by?: string | null;
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
  created_at: string;
  updated_at: string;
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
  dst?: string;
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
}
