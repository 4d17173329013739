// @ts-check
// The audit of a chaos run: the run history (job_runs), the handlers' own execution log, the lock documents and
// the harness's record of which process died when, checked against the cron slots that fell inside the window.
// Pure: a function of its input, so test/audit.test.mjs can feed it fabricated histories and check that every
// kind of violation is caught.
import { parseCron } from '@craft/cron';
import { auditExecutions } from './audit-executions.mjs';

/** Skip reasons each missed-run policy may record (spec section 5; `catch_up_window` needs a window). */
const ALLOWED_SKIP_REASONS = {
  once: ['superseded'],
  all: ['max_catch_up_runs'],
  skip: ['policy_skip'],
};
/**
 * Skip reasons any schedule may record (spec section 10): `overlap` (overlap policy `skip`: a run was still running)
 * and `paused` (slots that passed during a global pause).
 */
const ANY_POLICY_SKIP_REASONS = ['overlap', 'paused'];
const FINAL = new Set(['succeeded', 'failed', 'timed_out', 'abandoned', 'skipped', 'cancelled']);
/** The triggers whose runs stand for a slot of their schedule (a backfill uses the slot's run key too). */
const SLOT_TRIGGERS = new Set(['schedule', 'catch_up', 'backfill']);

/**
 * @typedef {object} AuditSchedule
 * @property {string} jobName
 * @property {string} cronExpression
 * @property {string} timezone the zone the slots are evaluated in (the schedule's, else the scheduler's)
 * @property {'once' | 'all' | 'skip'} policy
 * @property {number | null} catchUpWindowSeconds
 * @property {string[]} chain
 * @property {Date} initialNext `next_run_at` as the API answered at creation: the first slot of the window
 *
 * @typedef {import('./audit-executions.mjs').Line} Line one line of an execution log (handlers and observer)
 *
 * @typedef {object} Incarnation one API process the harness started
 * @property {number} pid
 * @property {number} startedAt real epoch ms
 * @property {number | null} killedAt real epoch ms of its SIGKILL, null if it lived to the end
 * @property {number} skewMs its CRAFT_TEST_CLOCK_OFFSET_MS
 * @property {{ at: number, until: number | null }[]} [stops] its SIGSTOP … SIGCONT (or kill) intervals
 *
 * @typedef {object} AuditInput
 * @property {AuditSchedule[]} schedules
 * @property {Record<string, any>[]} runs every job_runs document
 * @property {Map<string, Date | null>} nextRunAt final `next_run_at` per job name
 * @property {Date} windowEnd scheduler time when the chaos stopped: every slot before it must be settled
 * @property {Line[]} executions every line of the execution logs
 * @property {Incarnation[]} incarnations
 * @property {Record<string, any>[]} locks every job_locks document
 * @property {number} serverNow the database server's time at the audit (epoch ms)
 * @property {number} auditedAt real time of the audit (epoch ms)
 * @property {{ epochMs: number, speed: number }} clock the accelerated clock every process shared
 * @property {number} [leaseMs] the lock and run lease (real ms): lease deadlines, and runs adopted after their
 *   claimer died (default 5000)
 * @property {number} [lateToleranceMs] handler activity this soon after its deadline is timer latency (default 250)
 */

/** @param {number[]} sorted ascending @param {number} p 0..1 */
export function percentile(sorted, p) {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return /** @type {number} */ (sorted[i]);
}

/**
 * The list under `key`, created empty when missing.
 * @template K, V
 * @param {Map<K, V[]>} map @param {K} key
 * @returns {V[]}
 */
function listOf(map, key) {
  let list = map.get(key);
  if (!list) {
    list = [];
    map.set(key, list);
  }
  return list;
}

/** @param {unknown} v */
const ms = (v) => (v instanceof Date ? v.getTime() : typeof v === 'string' ? Date.parse(v) : Number(v));

/**
 * The replica id's pid (`<hostname>:<pid>:<random>`, the API's default).
 * @param {unknown} owner
 */
export function pidOfReplica(owner) {
  if (typeof owner !== 'string') return null;
  const parts = owner.split(':');
  const pid = Number(parts[parts.length - 2]);
  return Number.isInteger(pid) ? pid : null;
}

/**
 * Audits a chaos run. Returns the figures and every violation found (an empty list is a pass).
 * @param {AuditInput} input
 */
export function auditRun(input) {
  /** @type {{ kind: string, detail: string }[]} */
  const violations = [];
  const violate = (/** @type {string} */ kind, /** @type {string} */ detail) => {
    violations.push({ kind, detail });
  };
  const end = input.windowEnd.getTime();
  const toSchedTime = (/** @type {number} */ real) =>
    input.clock.epochMs + (real - input.clock.epochMs) * input.clock.speed;
  const toReal = (/** @type {number} */ sched) =>
    input.clock.epochMs + (sched - input.clock.epochMs) / input.clock.speed;
  const byPid = new Map(input.incarnations.map((i) => [i.pid, i]));
  const runsById = new Map(input.runs.map((r) => [r.id, r]));

  const leaseMs = input.leaseMs ?? 5000;
  const exec = auditExecutions({
    lines: input.executions,
    incarnations: input.incarnations,
    runsById,
    leaseMs,
    auditedAt: input.auditedAt,
    ...(input.lateToleranceMs !== undefined ? { lateToleranceMs: input.lateToleranceMs } : {}),
    violate,
  });
  const execByRun = exec.execByRun;
  /** @type {Map<string, Record<string, any>>} chained runs by run key */
  const byRunKey = new Map();
  for (const r of input.runs) if (typeof r.run_key === 'string') byRunKey.set(r.run_key, r);

  const counts = {
    slots: 0,
    executedSlots: 0,
    skippedSlots: 0,
    duplicates: 0,
    lost: 0,
    stuck: 0,
    phantom: 0,
    policyViolations: 0,
    onTime: 0,
    catchUp: 0,
    backfilled: 0,
    cancelledSlots: 0,
    byStatus: /** @type {Record<string, number>} */ ({}),
    skippedByReason: /** @type {Record<string, number>} */ ({}),
    chainExpected: 0,
    chainFound: 0,
    adoptedAfterClaimerDied: 0,
  };
  /** @type {number[]} */
  const lagOnTime = [];
  /** @type {number[]} */
  const lagAll = [];

  /** @type {Map<string, Record<string, any>[]>} */
  const runsByName = new Map();
  for (const r of input.runs) {
    if (!SLOT_TRIGGERS.has(r.trigger)) continue;
    listOf(runsByName, r.job_name).push(r);
  }

  for (const s of input.schedules) {
    const cron = parseCron(s.cronExpression);
    const opts = { timezone: s.timezone };
    /** @type {number[]} */
    const slots = [];
    const first = cron.matches(s.initialNext, opts) ? s.initialNext : cron.next(s.initialNext, opts);
    for (let t = first; t !== null && t.getTime() < end; t = cron.next(t, opts)) slots.push(t.getTime());
    counts.slots += slots.length;
    const expected = new Set(slots);
    /** @type {Map<number, Record<string, any>[]>} */
    const cover = new Map();
    for (const r of runsByName.get(s.jobName) ?? []) {
      const slot = ms(r.slot);
      const covered = [slot];
      const folded = r.result?.folded_slots;
      if (typeof folded === 'number' && folded > 1) {
        const last = ms(r.result.last_folded_slot);
        for (let t = cron.next(slot, opts); t !== null && t.getTime() <= last; t = cron.next(t, opts)) {
          covered.push(t.getTime());
        }
      }
      for (const c of covered) {
        if (!expected.has(c)) {
          // Slots at or after the window's end may be claimed already (any record there is checked for
          // duplicates below); before it, a record for a time that is not a slot of the window is a bug.
          // A backfill may cover slots before the window: only a time that is not a slot at all is a phantom there.
          const backfilledEarlier = r.trigger === 'backfill' && c < s.initialNext.getTime();
          if (
            c < end &&
            (backfilledEarlier
              ? !cron.matches(c, opts)
              : c < s.initialNext.getTime() || !cron.matches(c, opts))
          ) {
            counts.phantom++;
            violate(
              'phantom',
              `${s.jobName}: a run record for ${new Date(c).toISOString()}, not a slot in the window`,
            );
          }
          if (c < end) continue;
        }
        listOf(cover, c).push(r);
      }
    }
    for (const [slot, list] of cover) {
      if (list.length > 1) {
        counts.duplicates += list.length - 1;
        violate('duplicate', `${s.jobName} @ ${new Date(slot).toISOString()}: ${list.length} run records`);
      }
    }
    const nextRunAt = input.nextRunAt.get(s.jobName) ?? null;
    if (slots.length > 0 && (nextRunAt === null || nextRunAt.getTime() < end)) {
      violate(
        'stalled',
        `${s.jobName}: next_run_at is ${nextRunAt?.toISOString() ?? 'null'} after the quiet period, before the window end`,
      );
    }
    for (const slot of slots) {
      const list = cover.get(slot);
      const r = list?.[0];
      if (!r) {
        counts.lost++;
        violate('lost', `${s.jobName} @ ${new Date(slot).toISOString()}: no run record`);
        continue;
      }
      counts.byStatus[r.status] = (counts.byStatus[r.status] ?? 0) + 1;
      if (!FINAL.has(r.status)) {
        counts.stuck++;
        violate('stuck', `${s.jobName} @ ${new Date(slot).toISOString()}: run ${r.id} is still ${r.status}`);
        continue;
      }
      if (r.status === 'skipped') {
        counts.skippedSlots++;
        const reason = String(r.result?.reason);
        counts.skippedByReason[reason] = (counts.skippedByReason[reason] ?? 0) + 1;
        const allowed = [...ALLOWED_SKIP_REASONS[s.policy], ...ANY_POLICY_SKIP_REASONS];
        if (s.catchUpWindowSeconds !== null) allowed.push('catch_up_window');
        if (!allowed.includes(reason)) {
          counts.policyViolations++;
          violate(
            'policy',
            `${s.jobName} @ ${new Date(slot).toISOString()}: skipped (${reason}) under policy ${s.policy}`,
          );
        }
        continue;
      }
      if (r.status === 'cancelled') {
        // Cancelled by a user or by the `cancel_running` overlap policy: settled, not executed to its end.
        counts.cancelledSlots++;
        continue;
      }
      counts.executedSlots++;
      if (r.trigger === 'backfill') {
        // Run on request, long after its slot: no lag, no policy.
        counts.backfilled++;
        continue;
      }
      if (r.trigger === 'catch_up') {
        counts.catchUp++;
        if (s.policy === 'skip') {
          counts.policyViolations++;
          violate(
            'policy',
            `${s.jobName} @ ${new Date(slot).toISOString()}: a catch-up run under policy skip`,
          );
        }
      } else counts.onTime++;
      const starts = (execByRun.get(r.id) ?? []).map((x) => x.start);
      if (starts.length > 0) {
        const lag = toSchedTime(Math.min(...starts)) - slot;
        // Pending for about a lease or longer before its first start: its claimer died mid-claim (after
        // inserting the run) and another process adopted it once the lease expired.
        const createdReal = toReal(ms(r.created_at));
        if (Math.min(...starts) - createdReal > 0.8 * leaseMs) {
          counts.adoptedAfterClaimerDied++;
        }
        lagAll.push(lag);
        if (r.trigger === 'schedule') lagOnTime.push(lag);
      }
      if (r.status === 'succeeded' && s.chain.length > 0) {
        for (const name of s.chain) {
          counts.chainExpected++;
          const c = byRunKey.get(`chain:${r.id}:${name}`);
          if (!c || c.parent_run_id !== r.id) {
            violate('lost', `${s.jobName} @ ${new Date(slot).toISOString()}: chained run ${name} missing`);
            counts.lost++;
          } else {
            counts.chainFound++;
            if (!FINAL.has(c.status)) {
              counts.stuck++;
              violate('stuck', `chained run ${c.id} (${name} after ${r.id}) is still ${c.status}`);
            }
          }
        }
      }
    }
  }

  // Locks: a dead process's lock is expired by the audit (free to take), and held by a process of this run.
  let deadOwnerLocks = 0;
  let lateLockRenewals = 0;
  let lateLockRenewalMaxMs = 0;
  for (const l of input.locks) {
    if (l.owner == null) continue;
    const pid = pidOfReplica(l.owner);
    const inc = pid === null ? undefined : byPid.get(pid);
    if (!inc) {
      violate('lock', `${l.lock_key}: held by ${l.owner}, which is none of this run's processes`);
      continue;
    }
    if (inc.killedAt === null) continue;
    deadOwnerLocks++;
    const renewed = ms(l.renewed_at);
    const expires = renewed + Number(l.ttl_ms);
    // A renewal the owner sent before it died can be applied after its death: held by a fault in the proxy
    // (latency, a blackhole delivered late) or queued in an overloaded server. It is a compare-and-set on the
    // owner's own token, so it can only keep the dead owner's lease a little longer (reported); the lease must still
    // have expired by the audit (below).
    if (renewed > inc.killedAt + 1000) {
      lateLockRenewals++;
      lateLockRenewalMaxMs = Math.max(lateLockRenewalMaxMs, renewed - inc.killedAt);
    }
    if (!(expires <= input.serverNow)) {
      violate(
        'lock',
        `${l.lock_key}: its dead owner's lease (pid ${pid}) has not expired (${expires - input.serverNow} ms left)`,
      );
    }
  }

  // Runs outside any slot (manual, or stuck in a way the slot walk did not see).
  for (const r of input.runs) {
    if ((r.status === 'pending' || r.status === 'running') && ms(r.slot) < end && r.trigger === 'manual') {
      violate('stuck', `manual run ${r.id} is still ${r.status}`);
    }
    if ((r.status === 'pending' || r.status === 'running') && r.trigger === 'backfill' && ms(r.slot) < end) {
      // Backfilled slots before the window are not walked above; they must settle too.
      const s = input.schedules.find((x) => x.jobName === r.job_name);
      if (!s || ms(r.slot) < s.initialNext.getTime())
        violate('stuck', `backfill run ${r.id} is still ${r.status}`);
    }
  }

  lagOnTime.sort((a, b) => a - b);
  lagAll.sort((a, b) => a - b);
  const lag = (/** @type {number[]} */ list) => ({
    count: list.length,
    min: list[0] ?? Number.NaN,
    p50: percentile(list, 0.5),
    p99: percentile(list, 0.99),
    max: list[list.length - 1] ?? Number.NaN,
  });
  return {
    violations,
    figures: {
      ...counts,
      ...exec.figures,
      overlaps: exec.figures.runOverlaps + exec.figures.scheduleOverlaps,
      deadOwnerLocks,
      lateLockRenewals,
      lateLockRenewalMaxMs,
      lagOnTime: lag(lagOnTime),
      lagAll: lag(lagAll),
    },
  };
}
