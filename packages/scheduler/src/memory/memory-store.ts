import { systemClock } from '../clock.js';
import { changesScheduleVersion, FINAL_RUN_STATUSES, type JobRun, type JobSchedule } from '../model.js';
import type {
  Clock,
  EventCursor,
  EventLogStore,
  EventPage,
  EventReadQuery,
  GlobalPauseState,
  IdempotencyRecord,
  IdempotencyReservation,
  IdempotencyReserveResult,
  IdempotencyStore,
  IdempotentResponse,
  NewJobEvent,
  RunCondition,
  RunQuery,
  RunUpdate,
  RunWrite,
  ScheduleCondition,
  ScheduleQuery,
  SchedulerStore,
  ScheduleUpdateOptions,
  ScheduleWrite,
} from '../types.js';
import { deepCopy } from './deep-copy.js';
import { DueIndex } from './due-index.js';
import { MemoryEventLog } from './memory-event-log.js';
import { MemoryIdempotencyStore } from './memory-idempotency.js';
import { copyRun, copySchedule } from './record-copy.js';

/** Options of {@link MemoryStore}. */
export interface MemoryStoreOptions {
  /** The store's time source (run leases, `updatedAt`). Share one clock in simulations. @default systemClock */
  clock?: Clock;
}

interface StoredRun {
  run: JobRun;
  seq: number;
}

const FINAL = new Set(FINAL_RUN_STATUSES);

/**
 * In-process {@link SchedulerStore}, {@link IdempotencyStore} and {@link EventLogStore}: the embedded default (no
 * database configured) and the reference implementation of the storage contracts. One instance is one "database":
 * share it between scheduler instances to simulate replicas. State is lost when the process exits.
 */
export class MemoryStore implements SchedulerStore, IdempotencyStore, EventLogStore {
  readonly #clock: Clock;
  readonly #idempotency: MemoryIdempotencyStore;
  readonly #eventLog: MemoryEventLog;
  readonly #schedules = new Map<string, JobSchedule>();
  // Enabled schedules by due instant: the due query and the loop's wake-up read it, not every schedule.
  readonly #due = new DueIndex();
  // The fencing token of each schedule's last fenced write (ScheduleCondition.fencingToken); storage-only.
  readonly #scheduleTokens = new Map<string, number>();
  // The id of the last run counted in each schedule's consecutiveFailures (ScheduleUpdateOptions.countRun); storage-only.
  readonly #countedRuns = new Map<string, string>();
  #pause: GlobalPauseState = { paused: false, reason: null, since: null, by: null, windows: [] };
  readonly #runs = new Map<string, StoredRun>();
  readonly #runKeys = new Map<string, string>();
  // Ids of live (pending/running) runs: recovery queries look at these only, not at the whole history.
  readonly #live = new Set<string>();
  #seq = 0;

  constructor(options: MemoryStoreOptions = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#idempotency = new MemoryIdempotencyStore({ clock: this.#clock });
    this.#eventLog = new MemoryEventLog({ clock: this.#clock });
  }

  async getSchedule(jobName: string): Promise<JobSchedule | null> {
    await Promise.resolve();
    const s = this.#schedules.get(jobName);
    return s ? copySchedule(s) : null;
  }

  async listSchedules(query: ScheduleQuery = {}): Promise<JobSchedule[]> {
    await Promise.resolve();
    const text = query.text?.toLowerCase();
    // By name: looked up directly (no scan of every schedule).
    const candidates =
      query.jobNames === undefined
        ? [...this.#schedules.values()]
        : [...new Set(query.jobNames)].flatMap((n) => this.#schedules.get(n) ?? []);
    let list = candidates.filter(
      (s) =>
        (query.enabled === undefined || s.isEnabled === query.enabled) &&
        (query.jobType === undefined || s.jobType === query.jobType) &&
        (query.afterJobName === undefined || s.jobName > query.afterJobName) &&
        (query.lastRunStatus === undefined || query.lastRunStatus.includes(s.lastRunStatus ?? null)) &&
        (text === undefined ||
          s.jobName.toLowerCase().includes(text) ||
          (s.description ?? '').toLowerCase().includes(text)),
    );
    list.sort((a, b) => (a.jobName < b.jobName ? -1 : a.jobName > b.jobName ? 1 : 0));
    if (query.limit !== undefined) list = list.slice(0, query.limit);
    return list.map(copySchedule);
  }

  async insertSchedule(schedule: JobSchedule): Promise<boolean> {
    await Promise.resolve();
    if (this.#schedules.has(schedule.jobName)) return false;
    const stored = copySchedule(schedule);
    stored.version = 1;
    this.#schedules.set(schedule.jobName, stored);
    this.#indexDue(stored);
    return true;
  }

  async updateSchedules(writes: readonly ScheduleWrite[]): Promise<(JobSchedule | null)[]> {
    const out: (JobSchedule | null)[] = [];
    for (const w of writes) out.push(await this.updateSchedule(w.jobName, w.patch, w.condition, w.options));
    return out;
  }

  async updateSchedule(
    jobName: string,
    patch: Partial<Omit<JobSchedule, 'jobName'>>,
    condition: ScheduleCondition = {},
    options: ScheduleUpdateOptions = {},
  ): Promise<JobSchedule | null> {
    await Promise.resolve();
    const cur = this.#schedules.get(jobName);
    if (!cur) return null;
    if (!scheduleMatches(cur, condition)) return null;
    // Fenced write: refused once a holder with a newer token wrote; stores the writer's token.
    const token = condition.fencingToken;
    if (token !== undefined && (this.#scheduleTokens.get(jobName) ?? Number.NEGATIVE_INFINITY) > token)
      return null;
    if (token !== undefined) this.#scheduleTokens.set(jobName, token);
    const next = { ...cur } as Record<string, unknown>;
    for (const [k, v] of Object.entries(patch)) {
      if (v !== undefined && k !== 'jobName' && k !== 'version') next[k] = deepCopy(v);
    }
    // The version counts edits of the definition, in the same write (a compare-and-set on it is exact).
    if (changesScheduleVersion(patch)) next['version'] = cur.version + 1;
    const count = options.countRun;
    // Counted once per run: a retried write whose first try landed leaves the count as it is.
    if (count !== undefined && this.#countedRuns.get(jobName) !== count.runId) {
      next['consecutiveFailures'] = count.outcome === 'success' ? 0 : (cur.consecutiveFailures ?? 0) + 1;
      this.#countedRuns.set(jobName, count.runId);
    }
    this.#schedules.set(jobName, next as unknown as JobSchedule);
    this.#indexDue(next as unknown as JobSchedule);
    return copySchedule(next as unknown as JobSchedule);
  }

  async deleteSchedule(jobName: string, condition: ScheduleCondition = {}): Promise<boolean> {
    await Promise.resolve();
    const cur = this.#schedules.get(jobName);
    if (!cur || !scheduleMatches(cur, condition)) return false;
    this.#scheduleTokens.delete(jobName);
    this.#countedRuns.delete(jobName);
    this.#due.set(jobName, undefined);
    return this.#schedules.delete(jobName);
  }

  async listDueSchedules(now: Date, limit: number): Promise<JobSchedule[]> {
    await Promise.resolve();
    const due: JobSchedule[] = [];
    for (const name of this.#due.due(now.getTime(), limit)) {
      const s = this.#schedules.get(name);
      if (s) due.push(copySchedule(s));
    }
    return due;
  }

  async getEarliestNextRunAt(): Promise<Date | null> {
    await Promise.resolve();
    const min = this.#due.earliest();
    return min === null ? null : new Date(min);
  }

  #indexDue(s: JobSchedule): void {
    this.#due.set(s.jobName, s.isEnabled ? dueOf(s) : undefined);
  }

  async getGlobalPause(): Promise<GlobalPauseState> {
    await Promise.resolve();
    return deepCopy(this.#pause);
  }

  async setGlobalPause(state: GlobalPauseState): Promise<void> {
    await Promise.resolve();
    this.#pause = deepCopy(state);
  }

  async insertRun(run: JobRun, options: { leaseForMs?: number } = {}): Promise<boolean> {
    await Promise.resolve();
    if (this.#runKeys.has(run.runKey) || this.#runs.has(run.id)) return false;
    const stored = copyRun(run);
    if (options.leaseForMs !== undefined && stored.leaseOwner !== null) {
      stored.leaseExpiresAt = new Date(this.#clock.now() + options.leaseForMs);
    }
    this.#runs.set(run.id, { run: stored, seq: this.#seq++ });
    this.#runKeys.set(run.runKey, run.id);
    this.#index(stored);
    return true;
  }

  async insertRuns(runs: readonly JobRun[], options: { leaseForMs?: number } = {}): Promise<boolean[]> {
    const out: boolean[] = [];
    for (const run of runs) out.push(await this.insertRun(run, options));
    return out;
  }

  async updateRuns(writes: readonly RunWrite[]): Promise<(JobRun | null)[]> {
    const out: (JobRun | null)[] = [];
    for (const w of writes) out.push(await this.updateRun(w.id, w.update, w.condition));
    return out;
  }

  async getRun(id: string): Promise<JobRun | null> {
    await Promise.resolve();
    const r = this.#runs.get(id);
    return r ? copyRun(r.run) : null;
  }

  async getRunByKey(runKey: string): Promise<JobRun | null> {
    await Promise.resolve();
    const id = this.#runKeys.get(runKey);
    const r = id === undefined ? undefined : this.#runs.get(id);
    return r ? copyRun(r.run) : null;
  }

  async updateRun(id: string, update: RunUpdate, condition: RunCondition = {}): Promise<JobRun | null> {
    await Promise.resolve();
    const stored = this.#runs.get(id);
    if (!stored) return null;
    const now = this.#clock.now();
    if (!matchesCondition(stored.run, condition, now)) return null;
    const next = { ...stored.run } as Record<string, unknown>;
    for (const [k, v] of Object.entries(update.set ?? {})) {
      if (v !== undefined && k !== 'id' && k !== 'runKey' && k !== 'createdAt') next[k] = deepCopy(v);
    }
    if (update.leaseForMs !== undefined) next['leaseExpiresAt'] = new Date(now + update.leaseForMs);
    next['updatedAt'] = new Date(now);
    stored.run = next as unknown as JobRun;
    this.#index(stored.run);
    return copyRun(stored.run);
  }

  async listRuns(query: RunQuery = {}): Promise<JobRun[]> {
    await Promise.resolve();
    const list = this.#filterRuns(query);
    const offset = query.offset ?? 0;
    const page = query.limit === undefined ? list.slice(offset) : list.slice(offset, offset + query.limit);
    return page.map((r) => copyRun(r.run));
  }

  async countRuns(query: RunQuery = {}): Promise<number> {
    await Promise.resolve();
    return this.#filterRuns(query).length;
  }

  async deleteRuns(filter: { finishedBefore: Date }): Promise<number> {
    await Promise.resolve();
    const t = filter.finishedBefore.getTime();
    let n = 0;
    for (const [id, { run }] of this.#runs) {
      if (FINAL.has(run.status) && run.finishedAt !== null && run.finishedAt.getTime() < t) {
        this.#runs.delete(id);
        this.#runKeys.delete(run.runKey);
        this.#live.delete(id);
        n++;
      }
    }
    return n;
  }

  reserveIdempotencyKey(reservation: IdempotencyReservation): Promise<IdempotencyReserveResult> {
    return this.#idempotency.reserveIdempotencyKey(reservation);
  }

  renewIdempotencyKey(scope: string, key: string, token: string, leaseMs: number): Promise<boolean> {
    return this.#idempotency.renewIdempotencyKey(scope, key, token, leaseMs);
  }

  completeIdempotencyKey(
    scope: string,
    key: string,
    token: string,
    response: IdempotentResponse,
  ): Promise<boolean> {
    return this.#idempotency.completeIdempotencyKey(scope, key, token, response);
  }

  releaseIdempotencyKey(scope: string, key: string, token: string): Promise<boolean> {
    return this.#idempotency.releaseIdempotencyKey(scope, key, token);
  }

  getIdempotencyKey(scope: string, key: string): Promise<IdempotencyRecord | null> {
    return this.#idempotency.getIdempotencyKey(scope, key);
  }

  appendEvents(events: readonly NewJobEvent[]): Promise<void> {
    return this.#eventLog.appendEvents(events);
  }

  readEvents(query: EventReadQuery): Promise<EventPage> {
    return this.#eventLog.readEvents(query);
  }

  deleteEvents(filter: { olderThanMs: number }): Promise<number> {
    return this.#eventLog.deleteEvents(filter);
  }

  oldestEventCursor(): Promise<EventCursor | null> {
    return this.#eventLog.oldestEventCursor();
  }

  #index(run: JobRun): void {
    if (FINAL.has(run.status)) this.#live.delete(run.id);
    else this.#live.add(run.id);
  }

  *#candidates(q: RunQuery): Iterable<StoredRun> {
    if (q.runKeys !== undefined) {
      for (const key of new Set(q.runKeys)) {
        const id = this.#runKeys.get(key);
        const stored = id === undefined ? undefined : this.#runs.get(id);
        if (stored) yield stored;
      }
    } else if (q.status?.every((s) => !FINAL.has(s))) {
      for (const id of this.#live) {
        const stored = this.#runs.get(id);
        if (stored) yield stored;
      }
    } else yield* this.#runs.values();
  }

  #filterRuns(q: RunQuery): StoredRun[] {
    const now = this.#clock.now();
    const out: StoredRun[] = [];
    for (const stored of this.#candidates(q)) {
      const r = stored.run;
      if (q.jobName !== undefined && r.jobName !== q.jobName) continue;
      if (q.jobType !== undefined && r.jobType !== q.jobType) continue;
      if (q.status !== undefined && !q.status.includes(r.status)) continue;
      if (q.trigger !== undefined && r.trigger !== q.trigger) continue;
      if (q.parentRunId !== undefined && r.parentRunId !== q.parentRunId) continue;
      if (q.slotFrom !== undefined && (r.slot === null || r.slot.getTime() < q.slotFrom.getTime())) continue;
      if (q.slotTo !== undefined && (r.slot === null || r.slot.getTime() >= q.slotTo.getTime())) continue;
      if (q.createdFrom !== undefined && r.createdAt.getTime() < q.createdFrom.getTime()) continue;
      if (q.createdTo !== undefined && r.createdAt.getTime() >= q.createdTo.getTime()) continue;
      if (q.leaseExpired !== undefined && leaseFree(r, now) !== q.leaseExpired) continue;
      out.push(stored);
    }
    const dir = q.order === 'asc' ? 1 : -1;
    out.sort((a, b) => dir * (a.run.createdAt.getTime() - b.run.createdAt.getTime() || a.seq - b.seq));
    return out;
  }
}

function scheduleMatches(s: JobSchedule, c: ScheduleCondition): boolean {
  if (c.nextRunAt !== undefined && !sameInstant(s.nextRunAt, c.nextRunAt)) return false;
  if (c.version !== undefined && s.version !== c.version) return false;
  if (c.lastRunAt !== undefined && !sameInstant(s.lastRunAt, c.lastRunAt)) return false;
  // last_run_at only moves forward: refused when the stored one is later.
  const notAfter = c.lastRunAtNotAfter;
  if (notAfter !== undefined && s.lastRunAt !== null && s.lastRunAt.getTime() > notAfter.getTime())
    return false;
  if (c.isEnabled !== undefined && (s.isEnabled ?? true) !== c.isEnabled) return false;
  if (c.consecutiveFailures !== undefined && (s.consecutiveFailures ?? 0) !== c.consecutiveFailures)
    return false;
  return true;
}

/** The due instant: `nextDueAt`, else `nextRunAt` (a schedule written without it). */
function dueOf(s: JobSchedule): number | null {
  return s.nextRunAt === null ? null : (s.nextDueAt ?? s.nextRunAt).getTime();
}

function sameInstant(a: Date | null, b: Date | null): boolean {
  if (a === null || b === null) return a === b;
  return a.getTime() === b.getTime();
}

function leaseFree(run: JobRun, now: number): boolean {
  return run.leaseOwner === null || run.leaseExpiresAt === null || run.leaseExpiresAt.getTime() <= now;
}

function matchesCondition(run: JobRun, c: RunCondition, now: number): boolean {
  if (c.status !== undefined && !c.status.includes(run.status)) return false;
  if (c.leaseOwner !== undefined && run.leaseOwner !== c.leaseOwner) return false;
  if (c.fencingToken !== undefined && run.fencingToken !== c.fencingToken) return false;
  if (c.leaseExpired !== undefined && leaseFree(run, now) !== c.leaseExpired) return false;
  if (c.attemptCount !== undefined && run.attempts.length !== c.attemptCount) return false;
  // A record written without the field (before it existed) has no cancel request.
  const requested = (run.cancelRequestedAt ?? null) !== null;
  if (c.cancelRequested !== undefined && requested !== c.cancelRequested) return false;
  return true;
}
