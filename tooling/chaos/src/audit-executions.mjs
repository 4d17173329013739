// @ts-check
// The execution half of the audit (spec section 11): what the handlers themselves logged, against the run records
// and the harness's record of kills and freezes. Pure, like src/audit.mjs, which calls it.
//
// An execution is one handler call: a start line and the lines after it from the same process for the same run and
// attempt. It ENDS at the first of: its end line, its process's SIGKILL, and its replica's local lease deadline —
// the deadline that passed (a line logged after it says which), or, for a process frozen until it was killed, the
// latest deadline it can have had (no renewal is sent or answered while frozen).

/** Codes a handler's signal aborts with when its replica stopped being responsible for the run. */
const LEASE_CODES = new Set(['CRAFT_SCHEDULER_LEASE_EXPIRED', 'CRAFT_SCHEDULER_LEASE_LOST']);
/** Run statuses that end a run: an attempt recorded with one of them must not run again. */
const FINISHED = new Set(['succeeded', 'failed', 'timed_out']);

/**
 * @typedef {object} Line one line of an execution log (jobs-fixture.mjs, observer.mjs)
 * @property {string} e `s` start, `k` tick, `x` effect, `e` end, `f` failed end, `lost` lease lost, `stall`
 * @property {string} [run] @property {number} [att] @property {number} pid @property {number} [t]
 * @property {number} [dl] the local lease deadline at `t` (real epoch ms)
 * @property {string} [key] idempotency key (`s`, `x`) @property {string} [why] failure code (`f`)
 * @property {string} [reason] @property {string} [during] (`lost`) @property {number} [from] @property {number} [to] (`stall`)
 *
 * @typedef {object} FrozenIncarnation
 * @property {number} pid
 * @property {number | null} killedAt
 * @property {{ at: number, until: number | null }[]} [stops] SIGSTOP … SIGCONT (or kill) intervals
 *
 * @typedef {object} Execution
 * @property {string} run @property {number} att @property {number} pid @property {string | undefined} key
 * @property {number} start @property {number} end effective end (see the file header)
 * @property {Line | null} last its end line (`e`/`f`), if it wrote one
 * @property {Line | null} effect @property {Line[]} lines
 * @property {'end' | 'kill' | 'deadline' | 'frozen' | 'open'} endedBy
 */

/**
 * @param {object} input
 * @param {Line[]} input.lines every execution-log line
 * @param {FrozenIncarnation[]} input.incarnations
 * @param {Map<string, Record<string, any>>} input.runsById
 * @param {number} input.leaseMs the lease (real ms)
 * @param {number} input.auditedAt real epoch ms of the audit
 * @param {number} [input.lateToleranceMs] activity this soon after a deadline counts as timer latency (default 250)
 * @param {(kind: string, detail: string) => void} input.violate
 */
export function auditExecutions(input) {
  const { violate } = input;
  const tolerance = input.lateToleranceMs ?? 250;
  const marginMs = Math.min(Math.max(1000, input.leaseMs / 5), input.leaseMs / 2);
  const byPid = new Map(input.incarnations.map((i) => [i.pid, i]));
  /** @type {Map<number, { at: number, until: number, by: 'sigstop' | 'stall' }[]>} freezes (harness), stalls (watchdog) */
  const frozen = new Map();
  const freeze = (
    /** @type {number} */ pid,
    /** @type {number} */ at,
    /** @type {number} */ until,
    /** @type {'sigstop' | 'stall'} */ by,
  ) => {
    const list = frozen.get(pid) ?? [];
    list.push({ at, until, by });
    frozen.set(pid, list);
  };
  for (const i of input.incarnations) {
    for (const s of i.stops ?? []) freeze(i.pid, s.at, s.until ?? i.killedAt ?? input.auditedAt, 'sigstop');
  }
  /** @type {Map<string, Line[]>} lease losses per run */
  const lostByRun = new Map();
  /** @type {Record<string, number>} */
  const leaseLosses = {};
  let stalls = 0;
  for (const l of input.lines) {
    if (l.e === 'stall' && l.from !== undefined && l.to !== undefined) {
      stalls++;
      freeze(l.pid, l.from, l.to, 'stall');
    } else if (l.e === 'lost' && l.run) {
      const k = `${l.reason}/${l.during}`;
      leaseLosses[k] = (leaseLosses[k] ?? 0) + 1;
      const list = lostByRun.get(l.run) ?? [];
      list.push(l);
      lostByRun.set(l.run, list);
    }
  }

  // Executions: each start opens one; the later lines of the same (run, attempt, process) belong to the latest.
  /** @type {Map<string, Execution[]>} */
  const execByRun = new Map();
  /** @type {Map<string, Execution>} */
  const open = new Map();
  const handlerLines = input.lines
    .filter((l) => l.run && typeof l.t === 'number' && ['s', 'k', 'x', 'e', 'f'].includes(l.e))
    .sort((a, b) => Number(a.t) - Number(b.t));
  /** @type {Record<string, number>} */
  const abortedBy = {};
  for (const l of handlerLines) {
    const id = `${l.run}|${l.att}|${l.pid}`;
    if (l.e === 's') {
      /** @type {Execution} */
      const x = {
        run: String(l.run),
        att: Number(l.att),
        pid: l.pid,
        key: l.key,
        start: Number(l.t),
        end: Number.POSITIVE_INFINITY,
        last: null,
        effect: null,
        lines: [l],
        endedBy: 'open',
      };
      open.set(id, x);
      const list = execByRun.get(x.run) ?? [];
      list.push(x);
      execByRun.set(x.run, list);
      continue;
    }
    const x = open.get(id);
    if (!x) continue;
    x.lines.push(l);
    if (l.e === 'x') x.effect = l;
    if (l.e === 'e' || l.e === 'f') {
      x.last = l;
      open.delete(id);
      if (l.e === 'f' && l.why) abortedBy[l.why] = (abortedBy[l.why] ?? 0) + 1;
    }
  }

  // Effective ends, and handler activity after a deadline.
  const after = { total: 0, frozen: 0, stalled: 0, withinTolerance: 0, maxOverrunMs: 0 };
  for (const list of execByRun.values()) {
    for (const x of list) {
      const inc = byPid.get(x.pid);
      const killedAt = inc?.killedAt != null && inc.killedAt >= x.start ? inc.killedAt : null;
      /** @type {[number, Execution['endedBy']][]} */
      const ends = [];
      if (x.last) ends.push([Number(x.last.t), 'end']);
      if (killedAt !== null) ends.push([killedAt, 'kill']);
      const late = x.lines.find((l) => Number(l.t) > Number(l.dl));
      if (late) {
        const dl = Number(late.dl);
        ends.push([dl, 'deadline']);
        const overrun = Number(late.t) - dl;
        after.total++;
        after.maxOverrunMs = Math.max(after.maxOverrunMs, overrun);
        // Frozen (SIGSTOP) or stalled (its watchdog saw the event loop stop) across the deadline, and active again
        // only just after waking: the abort could not land earlier. A SIGSTOP explains it first.
        const woke = (frozen.get(x.pid) ?? [])
          .filter((f) => f.at <= dl + 100 && f.until >= dl - 100 && Number(late.t) - f.until <= tolerance)
          .sort((a, b) => (a.by === b.by ? 0 : a.by === 'sigstop' ? -1 : 1))[0];
        if (overrun <= tolerance) after.withinTolerance++;
        else if (woke?.by === 'sigstop') after.frozen++;
        else if (woke) after.stalled++;
        else {
          violate(
            'deadline-overrun',
            `run ${x.run} attempt ${x.att} (pid ${x.pid}): the handler was still running ${overrun} ms after its lease deadline, and its process was not frozen`,
          );
        }
      }
      if (killedAt !== null) {
        // Frozen until the kill: its deadline could not move after the freeze. It is the last one logged, unless a
        // renewal could have been sent between that line and the freeze (the next one goes out TTL/3 after the
        // send time of the last, which is that deadline − (TTL − margin)); then at most freeze + TTL − margin.
        const f = (inc?.stops ?? []).find((s) => s.at >= x.start && s.until === killedAt);
        if (f) {
          const known = x.lines.filter((l) => Number(l.t) <= f.at).map((l) => Number(l.dl));
          const last = known.length > 0 ? Math.max(...known) : Number.NaN;
          const nextSend = last - (input.leaseMs - marginMs) + Math.floor(input.leaseMs / 3);
          ends.push([f.at < nextSend ? last : f.at + input.leaseMs - marginMs, 'frozen']);
        }
      }
      if (ends.length === 0) ends.push([input.auditedAt, 'open']);
      ends.sort((a, b) => a[0] - b[0]);
      const first = /** @type {[number, Execution['endedBy']]} */ (ends[0]);
      x.end = Math.max(x.start, first[0]);
      x.endedBy = first[1];
    }
  }

  // Overlaps: executions of one run, and runs under one lock (one schedule, or one chained job type).
  let runOverlaps = 0;
  let scheduleOverlaps = 0;
  /** @type {Map<string, Execution[]>} */
  const byLock = new Map();
  for (const [runId, list] of execByRun) {
    const key = String(input.runsById.get(runId)?.lock_key ?? runId);
    const l = byLock.get(key) ?? [];
    l.push(...list);
    byLock.set(key, l);
  }
  for (const [key, list] of byLock) {
    list.sort((a, b) => a.start - b.start);
    /** @type {Execution | null} */
    let holder = null;
    for (const x of list) {
      if (holder && x.start < holder.end) {
        const ms = holder.end - x.start;
        if (holder.run === x.run) {
          runOverlaps++;
          violate(
            'run-overlap',
            `run ${x.run}: attempt ${x.att} (pid ${x.pid}) started ${ms} ms before attempt ${holder.att} (pid ${holder.pid}) ended (${holder.endedBy})`,
          );
        } else {
          scheduleOverlaps++;
          violate(
            'schedule-overlap',
            `${key}: run ${x.run} (pid ${x.pid}) started ${ms} ms before run ${holder.run} (pid ${holder.pid}) ended (${holder.endedBy})`,
          );
        }
      }
      if (!holder || x.end > holder.end) holder = x;
    }
  }

  // Re-executions. Allowed after a crash or a lost lease (the earlier executor was killed, froze, or reported the
  // loss) of an attempt recorded `abandoned`; never of an attempt recorded finished, never twice for one attempt.
  let executions = 0;
  let killedMidRun = 0;
  let reExecutedAfterCrash = 0;
  /** @type {Record<string, number>} */
  const reExecutedAfterLeaseLoss = {};
  /** @type {Map<string, number>} effects a downstream receiver sees, per idempotency key */
  const deliveries = new Map();
  for (const [runId, list] of execByRun) {
    const run = input.runsById.get(runId);
    list.sort((a, b) => a.start - b.start);
    executions += list.length;
    killedMidRun += list.filter((x) => x.endedBy === 'kill' || x.endedBy === 'frozen').length;
    /** @type {Map<number, number>} */
    const perAttempt = new Map();
    for (const x of list) perAttempt.set(x.att, (perAttempt.get(x.att) ?? 0) + 1);
    for (const [att, n] of perAttempt) {
      if (n > 1) violate('duplicate-execution', `run ${runId}: attempt ${att} started ${n} times`);
    }
    /** @type {Map<number, string>} */
    const recorded = new Map((run?.attempts ?? []).map((/** @type {any} */ a) => [a.attempt, a.status]));
    for (const x of list) {
      if (run && !recorded.has(x.att)) {
        violate(
          'unrecorded-execution',
          `run ${runId}: attempt ${x.att} ran (pid ${x.pid}) but is not in its record`,
        );
      }
      if (run && x.key !== run.run_key) {
        violate(
          'idempotency-key',
          `run ${runId}: attempt ${x.att} saw key ${x.key}, the run key is ${run.run_key}`,
        );
      }
      if (x.effect?.key) deliveries.set(x.effect.key, (deliveries.get(x.effect.key) ?? 0) + 1);
    }
    let crashed = false;
    /** @type {string | null} */
    let leaseLoss = null;
    for (let i = 1; i < list.length; i++) {
      const x = /** @type {Execution} */ (list[i]);
      for (const p of list.slice(0, i)) {
        if (p.att === x.att) continue;
        const status = recorded.get(p.att);
        // A failed or timed-out attempt is retried as a later attempt; a succeeded one ends the run.
        if (status === 'succeeded' || (status !== undefined && FINISHED.has(status) && x.att < p.att)) {
          violate(
            're-execution',
            `run ${runId}: attempt ${p.att} (pid ${p.pid}) is recorded ${status}, then attempt ${x.att} ran (pid ${x.pid})`,
          );
          continue;
        }
        if (status !== 'abandoned') continue;
        const killed = byPid.get(p.pid)?.killedAt;
        const lost = (lostByRun.get(runId) ?? []).find((l) => l.pid === p.pid);
        const froze = (frozen.get(p.pid) ?? []).some((f) => f.until >= p.start && f.at <= x.start);
        const finishedByItself =
          p.last?.e === 'e' || (p.last?.e === 'f' && !LEASE_CODES.has(String(p.last.why)));
        if (killed != null && killed <= x.start) crashed = true;
        else if (lost) leaseLoss = `${lost.reason}/${lost.during}`;
        else if (froze) leaseLoss = 'frozen';
        else if (finishedByItself) {
          violate(
            're-execution',
            `run ${runId}: attempt ${p.att} finished on a live replica (pid ${p.pid}; no kill, freeze or lease loss) but is recorded abandoned, and attempt ${x.att} ran again`,
          );
        } else leaseLoss = 'unreported';
      }
    }
    if (crashed) reExecutedAfterCrash++;
    else if (leaseLoss) reExecutedAfterLeaseLoss[leaseLoss] = (reExecutedAfterLeaseLoss[leaseLoss] ?? 0) + 1;
  }
  let keysDeliveredTwice = 0;
  let extraDeliveries = 0;
  for (const n of deliveries.values()) {
    if (n > 1) {
      keysDeliveredTwice++;
      extraDeliveries += n - 1;
    }
  }
  return {
    execByRun,
    figures: {
      executions,
      killedMidRun,
      runOverlaps,
      scheduleOverlaps,
      reExecutedAfterCrash,
      reExecutedAfterLeaseLoss,
      activityAfterDeadline: after,
      leaseLosses,
      abortedBy,
      stalls,
      downstream: { keys: deliveries.size, keysDeliveredTwice, extraDeliveries },
    },
  };
}
