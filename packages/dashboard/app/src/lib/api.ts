// The page's only way out: the REST API, with the user's bearer token. Errors carry the API's error body (code,
// field, details) so forms can show them at the field.
import type {
  BackfillResult,
  ErrorBody,
  JobType,
  PauseState,
  Preview,
  Run,
  RunList,
  Schedule,
  ScheduleInput,
  ScheduleList,
} from './types.js';

/** A failed API call: the API's error body, or a network failure (`status` 0). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field: string | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(status: number, body: Partial<ErrorBody>, fallback: string) {
    super(typeof body.message === 'string' ? body.message : fallback);
    this.name = 'ApiError';
    this.status = status;
    this.code = typeof body.code === 'string' ? body.code : status === 0 ? 'NETWORK' : `HTTP_${status}`;
    this.field = typeof body.field === 'string' ? body.field : undefined;
    this.details = body.details;
  }
}

type Query = Record<string, string | number | boolean | undefined | null>;

/** Query string of the defined values. */
export function queryString(query: Query = {}): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(query))
    if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}

const seg = encodeURIComponent;

/** A client of the REST API bound to one token. */
export class Api {
  constructor(
    private readonly base: string,
    private readonly token: string,
    /** Called with every 401 (the token is refused: expired, revoked, wrong secret). */
    private readonly onUnauthorized: (error: ApiError) => void,
  ) {}

  async request<T>(
    method: string,
    path: string,
    options: { query?: Query; body?: unknown; signal?: AbortSignal } = {},
  ): Promise<T> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.token}`,
      accept: 'application/json',
    };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(`${this.base}${path}${queryString(options.query)}`, {
        method,
        headers,
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
        ...(options.signal ? { signal: options.signal } : {}),
        credentials: 'omit',
        cache: 'no-store',
      });
    } catch (error) {
      if ((error as Error).name === 'AbortError') throw error;
      throw new ApiError(
        0,
        {},
        `The API did not answer (${(error as Error).message}); is the service running?`,
      );
    }
    const text = await res.text();
    let body: unknown = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = null;
    }
    if (!res.ok) {
      const error = new ApiError(
        res.status,
        (body ?? {}) as Partial<ErrorBody>,
        `${res.status} ${res.statusText}`,
      );
      if (res.status === 401) this.onUnauthorized(error);
      throw error;
    }
    return body as T;
  }

  /**
   * Opens the event stream (`GET /jobs/events`) with the token, resuming after `lastEventId`. Resolves with the
   * streaming response; rejects with an {@link ApiError} (a 401 also signs the page out, as every request does).
   */
  async openEvents(lastEventId: string | undefined, signal: AbortSignal): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(`${this.base}/jobs/events`, {
        headers: {
          authorization: `Bearer ${this.token}`,
          accept: 'text/event-stream',
          ...(lastEventId ? { 'last-event-id': lastEventId } : {}),
        },
        signal,
        credentials: 'omit',
        cache: 'no-store',
      });
    } catch (error) {
      if ((error as Error).name === 'AbortError') throw error;
      throw new ApiError(0, {}, `The event stream did not answer (${(error as Error).message})`);
    }
    if (res.ok && res.body) return res;
    let body: Partial<ErrorBody> = {};
    try {
      body = (await res.json()) as Partial<ErrorBody>;
    } catch {
      // not JSON
    }
    const error = new ApiError(res.status, body, `${res.status} ${res.statusText}`);
    if (res.status === 401) this.onUnauthorized(error);
    throw error;
  }

  listSchedules(query: Query, signal?: AbortSignal): Promise<ScheduleList> {
    return this.request('GET', '/jobs/schedules', { query, ...(signal ? { signal } : {}) });
  }
  getSchedule(name: string, signal?: AbortSignal): Promise<Schedule> {
    return this.request('GET', `/jobs/schedules/${seg(name)}`, signal ? { signal } : {});
  }
  nextRuns(
    name: string,
    query: { count: number; from?: string; until?: string },
    signal?: AbortSignal,
  ): Promise<Preview> {
    return this.request('GET', `/jobs/schedules/${seg(name)}/next-runs`, {
      query,
      ...(signal ? { signal } : {}),
    });
  }
  previewCron(
    query: {
      cron_expression: string;
      timezone?: string;
      count: number;
      dst_gap?: string;
      dst_overlap?: string;
      jitter_seconds?: number;
      job_name?: string;
    },
    signal?: AbortSignal,
  ): Promise<Preview> {
    return this.request('GET', '/jobs/cron/next-runs', { query, ...(signal ? { signal } : {}) });
  }
  createSchedule(input: ScheduleInput): Promise<Schedule> {
    return this.request('POST', '/jobs/schedules', { body: input });
  }
  replaceSchedule(name: string, input: ScheduleInput): Promise<Schedule> {
    return this.request('PUT', `/jobs/schedules/${seg(name)}`, { body: input });
  }
  deleteSchedule(name: string): Promise<Schedule> {
    return this.request('DELETE', `/jobs/schedules/${seg(name)}`);
  }
  enable(name: string): Promise<Schedule> {
    return this.request('POST', `/jobs/schedules/${seg(name)}/enable`);
  }
  /** Disables with a reason (stored as `paused_reason`, with who and when). */
  disable(name: string, reason: string): Promise<Schedule> {
    return this.request('POST', `/jobs/schedules/${seg(name)}/disable`, reason ? { body: { reason } } : {});
  }
  runNow(name: string): Promise<Run> {
    return this.request('POST', `/jobs/schedules/${seg(name)}/run`);
  }
  listRuns(query: Query, signal?: AbortSignal): Promise<RunList> {
    return this.request('GET', '/jobs/runs', { query, ...(signal ? { signal } : {}) });
  }
  getRun(id: string, signal?: AbortSignal): Promise<Run> {
    return this.request('GET', `/jobs/runs/${seg(id)}`, signal ? { signal } : {});
  }
  /** The global pause (spec section 10). */
  getPause(signal?: AbortSignal): Promise<PauseState> {
    return this.request('GET', '/jobs/pause', signal ? { signal } : {});
  }
  pauseAll(reason: string): Promise<PauseState> {
    return this.request('POST', '/jobs/pause', reason ? { body: { reason } } : {});
  }
  resumeAll(catchUp: boolean): Promise<PauseState> {
    return this.request('POST', '/jobs/resume', catchUp ? { body: { catch_up: true } } : {});
  }
  /** Cancels a pending or running run (the run as it stands: `cancelled`, or live with the request stored). */
  cancelRun(id: string): Promise<Run> {
    return this.request('POST', `/jobs/runs/${seg(id)}/cancel`);
  }
  /** Backfills every slot of a schedule in [from, to) (ISO instants). */
  backfill(name: string, body: { from: string; to: string; concurrency?: number }): Promise<BackfillResult> {
    return this.request('POST', `/jobs/schedules/${seg(name)}/backfill`, { body });
  }
  async listTypes(signal?: AbortSignal): Promise<JobType[]> {
    return (await this.request<{ items: JobType[] }>('GET', '/jobs/types', signal ? { signal } : {})).items;
  }
}
