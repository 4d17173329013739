// The auditor must catch every kind of violation: fabricated histories, one defect each.
import { describe, expect, it } from 'vitest';
import { auditRun, percentile, pidOfReplica } from '../src/audit.mjs';

const T0 = Date.parse('2030-01-01T00:00:00.000Z');
const MIN = 60_000;
const iso = (t) => new Date(t).toISOString();

/** A clean history: schedule `a` (every 5 minutes, policy once) over 30 minutes, every slot run once. */
function clean() {
  const schedules = [
    {
      jobName: 'a',
      cronExpression: '*/5 * * * *',
      timezone: 'UTC',
      policy: 'once',
      catchUpWindowSeconds: null,
      chain: [],
      initialNext: new Date(T0),
    },
  ];
  const runs = [];
  const executions = [];
  for (let i = 0; i < 6; i++) {
    const slot = T0 + i * 5 * MIN;
    const id = `r${i}`;
    runs.push({
      id,
      run_key: `a@${iso(slot)}`,
      job_name: 'a',
      slot: new Date(slot),
      trigger: 'schedule',
      status: 'succeeded',
      lock_key: 'job:a',
      result: null,
      attempts: [{ attempt: 1, status: 'succeeded' }],
    });
    // Real time = schedule time here (speed 1); each execution takes 100 ms, 1 s after its slot, with 4 s of lease.
    const key = `a@${iso(slot)}`;
    executions.push({ e: 's', run: id, att: 1, pid: 100, t: slot + 1000, dl: slot + 5000, key });
    executions.push({ e: 'x', run: id, att: 1, pid: 100, t: slot + 1100, dl: slot + 5000, key });
    executions.push({ e: 'e', run: id, att: 1, pid: 100, t: slot + 1100, dl: slot + 5000 });
  }
  return {
    schedules,
    runs,
    nextRunAt: new Map([['a', new Date(T0 + 30 * MIN)]]),
    windowEnd: new Date(T0 + 30 * MIN),
    executions,
    incarnations: [
      { pid: 100, startedAt: T0 - MIN, killedAt: null, skewMs: 0 },
      { pid: 200, startedAt: T0 - MIN, killedAt: T0 + 7 * MIN, skewMs: 30_000 },
    ],
    locks: [],
    serverNow: T0 + 40 * MIN,
    auditedAt: T0 + 40 * MIN,
    clock: { epochMs: T0, speed: 1 },
  };
}

const kinds = (input) => auditRun(input).violations.map((v) => v.kind);

/** Appends one execution (start, effect, end) of `run` attempt `att` on `pid`, `ms` long, with 4 s of lease left. */
function exec(input, run, att, pid, t, ms, { end = true } = {}) {
  const key = input.runs.find((r) => r.id === run)?.run_key;
  input.executions.push({ e: 's', run, att, pid, t, dl: t + 4000, key });
  if (!end) return;
  input.executions.push({ e: 'x', run, att, pid, t: t + ms, dl: t + 4000, key });
  input.executions.push({ e: 'e', run, att, pid, t: t + ms, dl: t + 4000 });
}

describe('auditRun', () => {
  it('passes a clean history and measures it', () => {
    const { violations, figures } = auditRun(clean());
    expect(violations).toEqual([]);
    expect(figures).toMatchObject({
      slots: 6,
      executedSlots: 6,
      onTime: 6,
      duplicates: 0,
      lost: 0,
      stuck: 0,
    });
    expect(figures.lagOnTime).toMatchObject({ count: 6, p50: 1000, max: 1000 });
  });

  it('finds a lost slot, and a schedule whose next_run_at stalled', () => {
    const input = clean();
    input.runs.splice(2, 1);
    expect(kinds(input)).toEqual(['lost']);
    input.nextRunAt.set('a', new Date(T0 + 10 * MIN));
    expect(kinds(input)).toEqual(['stalled', 'lost']);
  });

  it('finds two records for one slot', () => {
    const input = clean();
    input.runs.push({ ...input.runs[3], id: 'dup', run_key: 'a@other-key' });
    expect(auditRun(input).figures.duplicates).toBe(1);
    expect(kinds(input)).toEqual(['duplicate']);
  });

  it('finds a run left pending or running', () => {
    const input = clean();
    input.runs[1] = { ...input.runs[1], status: 'running' };
    input.runs[4] = { ...input.runs[4], status: 'pending' };
    expect(kinds(input)).toEqual(['stuck', 'stuck']);
  });

  it('finds a record for a time that is not a slot', () => {
    const input = clean();
    input.runs.push({ ...input.runs[0], id: 'x', run_key: 'a@x', slot: new Date(T0 + 3 * MIN) });
    expect(kinds(input)).toEqual(['phantom']);
  });

  it('checks skip reasons and catch-up runs against the policy', () => {
    const input = clean();
    input.runs[1] = { ...input.runs[1], status: 'skipped', result: { reason: 'superseded' } };
    expect(kinds(input)).toEqual([]);
    input.runs[2] = { ...input.runs[2], status: 'skipped', result: { reason: 'policy_skip' } };
    expect(kinds(input)).toEqual(['policy']);
    input.runs[2] = { ...input.runs[2], status: 'skipped', result: { reason: 'catch_up_window' } };
    expect(kinds(input)).toEqual(['policy']);
    input.schedules[0].catchUpWindowSeconds = 600;
    expect(kinds(input)).toEqual([]);
    input.schedules[0].policy = 'skip';
    input.runs[1] = { ...input.runs[1], result: { reason: 'policy_skip' } };
    input.runs[3] = { ...input.runs[3], trigger: 'catch_up' };
    expect(kinds(input)).toEqual(['policy']);
  });

  it('accepts the control statuses, triggers and skip reasons (cancelled, backfill, overlap, paused) under any policy', () => {
    const input = clean();
    input.runs[1] = { ...input.runs[1], status: 'skipped', result: { reason: 'overlap' } };
    input.runs[2] = { ...input.runs[2], status: 'skipped', result: { reason: 'paused' } };
    input.runs[3] = { ...input.runs[3], status: 'cancelled' };
    input.runs[4] = { ...input.runs[4], trigger: 'backfill' };
    // A backfill of a slot before the window is no phantom; one of a time that is no slot is.
    input.runs.push({
      ...input.runs[0],
      id: 'b',
      run_key: 'a@b',
      trigger: 'backfill',
      slot: new Date(T0 - 5 * MIN),
    });
    const { violations, figures } = auditRun(input);
    expect(violations).toEqual([]);
    expect(figures).toMatchObject({ skippedSlots: 2, cancelledSlots: 1, backfilled: 1, executedSlots: 3 });
    expect(figures.skippedByReason).toEqual({ overlap: 1, paused: 1 });
    input.runs.push({
      ...input.runs[0],
      id: 'p',
      run_key: 'a@p',
      trigger: 'backfill',
      slot: new Date(T0 - 3 * MIN),
    });
    expect(kinds(input)).toEqual(['phantom']);
    input.runs.pop();
    input.runs.push({
      ...input.runs[0],
      id: 'q',
      run_key: 'a@q',
      trigger: 'backfill',
      slot: new Date(T0 - 10 * MIN),
      status: 'pending',
    });
    expect(kinds(input)).toEqual(['stuck']);
    // A slot recorded twice, once by the scheduler and once by a backfill, is a duplicate.
    input.runs.pop();
    input.runs.push({ ...input.runs[5], id: 'twice', run_key: 'a@twice', trigger: 'backfill' });
    expect(kinds(input)).toEqual(['duplicate']);
  });

  it('counts the slots a folded skip record stands for', () => {
    const input = clean();
    input.runs[1] = {
      ...input.runs[1],
      status: 'skipped',
      result: { reason: 'superseded', folded_slots: 3, last_folded_slot: iso(T0 + 15 * MIN) },
    };
    input.runs.splice(2, 2);
    const { violations, figures } = auditRun(input);
    expect(violations).toEqual([]);
    expect(figures.skippedSlots).toBe(3);
  });

  it('finds an attempt started twice', () => {
    const input = clean();
    exec(input, 'r2', 1, 200, T0 + 10 * MIN + 2000, 100);
    expect(kinds(input)).toEqual(['duplicate-execution']);
  });

  it('finds the re-execution of a handler whose attempt is recorded succeeded', () => {
    const input = clean();
    // r2 attempt 1 succeeded (recorded), then an attempt 2 ran on the same live replica.
    input.runs[2].attempts = [
      { attempt: 1, status: 'succeeded' },
      { attempt: 2, status: 'succeeded' },
    ];
    exec(input, 'r2', 2, 100, T0 + 10 * MIN + 2000, 100);
    expect(kinds(input)).toEqual(['re-execution']);
    // A retry after a failed attempt is no re-execution.
    input.runs[2].attempts = [
      { attempt: 1, status: 'failed' },
      { attempt: 2, status: 'succeeded' },
    ];
    expect(kinds(input)).toEqual([]);
  });

  it('finds a handler that finished on a live replica, recorded abandoned and run again', () => {
    const input = clean();
    input.runs[1].attempts = [
      { attempt: 1, status: 'abandoned' },
      { attempt: 2, status: 'succeeded' },
    ];
    exec(input, 'r1', 2, 100, T0 + 5 * MIN + 9000, 100);
    expect(kinds(input)).toEqual(['re-execution']);
    expect(auditRun(input).figures.downstream).toEqual({
      keys: 6,
      keysDeliveredTwice: 1,
      extraDeliveries: 1,
    });
  });

  it('accepts a re-execution after the executor reported its lease lost, and counts it by reason', () => {
    const input = clean();
    input.runs[1].attempts = [
      { attempt: 1, status: 'abandoned' },
      { attempt: 2, status: 'succeeded' },
    ];
    // pid 100 finished the handler but could not write the result before its deadline.
    input.executions.push({
      e: 'lost',
      run: 'r1',
      att: 1,
      pid: 100,
      t: T0 + 5 * MIN + 5000,
      reason: 'deadline',
      during: 'write',
    });
    exec(input, 'r1', 2, 100, T0 + 5 * MIN + 9000, 100);
    const { violations, figures } = auditRun(input);
    expect(violations).toEqual([]);
    expect(figures.reExecutedAfterLeaseLoss).toEqual({ 'deadline/write': 1 });
    expect(figures.leaseLosses).toEqual({ 'deadline/write': 1 });
    // The receiver saw the key twice: a de-duplicating receiver applies it once.
    expect(figures.downstream).toEqual({ keys: 6, keysDeliveredTwice: 1, extraDeliveries: 1 });
  });

  it('accepts a re-execution after the first executor was killed, and counts it', () => {
    const input = clean();
    // pid 200 ran r1 and died (killed at T0+7min) before recording it; pid 100 ran it again.
    input.executions = input.executions.filter((x) => x.run !== 'r1');
    input.runs[1].attempts = [
      { attempt: 1, status: 'abandoned' },
      { attempt: 2, status: 'succeeded' },
    ];
    exec(input, 'r1', 1, 200, T0 + 5 * MIN + 1000, 100);
    exec(input, 'r1', 2, 100, T0 + 7 * MIN + 6000, 100);
    const { violations, figures } = auditRun(input);
    expect(violations).toEqual([]);
    expect(figures.reExecutedAfterCrash).toBe(1);
  });

  it('finds an execution its run does not record, and a key that is not the run key', () => {
    const input = clean();
    exec(input, 'r3', 2, 100, T0 + 15 * MIN + 2000, 10);
    expect(kinds(input)).toEqual(['unrecorded-execution', 're-execution']);
    const other = clean();
    other.executions.find((x) => x.run === 'r4' && x.e === 's').key = 'a@somewhere-else';
    expect(kinds(other)).toEqual(['idempotency-key']);
  });

  it('finds two executions under one lock overlapping in time (overlapping runs of one schedule)', () => {
    const input = clean();
    input.runs.push({
      id: 'r9',
      run_key: 'r9',
      job_name: null,
      lock_key: 'job:a',
      trigger: 'manual',
      status: 'succeeded',
      attempts: [{ attempt: 1, status: 'succeeded' }],
    });
    exec(input, 'r9', 1, 200, T0 + 1050, 450);
    expect(kinds(input)).toEqual(['schedule-overlap']);
    expect(auditRun(input).figures.scheduleOverlaps).toBe(1);
  });

  it('finds two attempts of one run overlapping in time (overlapping executions of one run)', () => {
    const input = clean();
    input.runs[2].attempts = [
      { attempt: 1, status: 'abandoned' },
      { attempt: 2, status: 'succeeded' },
    ];
    // Attempt 1 (pid 200, killed later) is still running, within its deadline, when attempt 2 starts.
    input.executions = input.executions.filter((x) => x.run !== 'r2');
    exec(input, 'r2', 1, 200, T0 + 10 * MIN + 1000, 3000, { end: false });
    exec(input, 'r2', 2, 100, T0 + 10 * MIN + 2000, 100);
    input.incarnations[1].killedAt = T0 + 10 * MIN + 4000;
    expect(kinds(input)).toEqual(['run-overlap']);
    expect(auditRun(input).figures.runOverlaps).toBe(1);
  });

  it('ends a killed execution at its kill, so a takeover after the kill is no overlap', () => {
    const input = clean();
    input.runs.push({
      id: 'k',
      run_key: 'k',
      job_name: null,
      lock_key: 'job:a',
      trigger: 'manual',
      status: 'succeeded',
      attempts: [
        { attempt: 1, status: 'abandoned' },
        { attempt: 2, status: 'succeeded' },
      ],
    });
    exec(input, 'k', 1, 200, T0 + 7 * MIN - 50, 0, { end: false });
    exec(input, 'k', 2, 100, T0 + 7 * MIN + 5000, 100);
    const { violations, figures } = auditRun(input);
    expect(violations).toEqual([]);
    expect(figures.killedMidRun).toBe(1);
    expect(figures.reExecutedAfterCrash).toBe(1);
  });

  it('ends an execution at its lease deadline: activity after it is reported when the process was frozen, a violation otherwise', () => {
    const input = clean();
    const t = T0 + 10 * MIN + 1000;
    input.runs[2].attempts = [
      { attempt: 1, status: 'abandoned' },
      { attempt: 2, status: 'succeeded' },
    ];
    input.executions = input.executions.filter((x) => x.run !== 'r2');
    // pid 100 started attempt 1 with its deadline 4 s away, was frozen from +1 s to +9 s, and woke to log its end.
    input.executions.push({
      e: 's',
      run: 'r2',
      att: 1,
      pid: 100,
      t,
      dl: t + 4000,
      key: `a@${iso(T0 + 10 * MIN)}`,
    });
    input.executions.push({
      e: 'f',
      run: 'r2',
      att: 1,
      pid: 100,
      t: t + 9010,
      dl: t + 4000,
      why: 'CRAFT_SCHEDULER_LEASE_EXPIRED',
    });
    input.executions.push({
      e: 'lost',
      run: 'r2',
      att: 1,
      pid: 100,
      t: t + 9005,
      reason: 'deadline',
      during: 'attempt',
    });
    // pid 200 took the run over after the store's lease expired (+5 s), while pid 100 was still frozen.
    exec(input, 'r2', 2, 200, t + 6000, 100);
    input.incarnations[0].stops = [{ at: t + 1000, until: t + 9000 }];
    const { violations, figures } = auditRun(input);
    expect(violations).toEqual([]);
    expect(figures.activityAfterDeadline).toMatchObject({ total: 1, frozen: 1 });
    expect(figures.reExecutedAfterLeaseLoss).toEqual({ 'deadline/attempt': 1 });
    // The same history from a process that was never frozen: the handler outlived its deadline by 5 s.
    input.incarnations[0].stops = [];
    expect(kinds(input)).toEqual(['deadline-overrun']);
    // A stall the process's own watchdog saw explains it as well.
    input.executions.push({ e: 'stall', pid: 100, from: t + 1000, to: t + 9000 });
    expect(kinds(input)).toEqual([]);
    expect(auditRun(input).figures.activityAfterDeadline).toMatchObject({ total: 1, frozen: 0, stalled: 1 });
    // Had the execution not ended at its deadline, the takeover would overlap it.
    expect(auditRun({ ...input, leaseMs: 5000 }).figures.runOverlaps).toBe(0);
  });

  it('ends an execution frozen until its kill at its last deadline, or at the freeze + TTL − margin when a renewal could have gone out', () => {
    const t = T0 + 10 * MIN + 1000;
    const frozenAt = (/** @type {number} */ at, /** @type {number} */ takeover) => {
      const input = clean();
      input.runs[2].attempts = [
        { attempt: 1, status: 'abandoned' },
        { attempt: 2, status: 'succeeded' },
      ];
      input.executions = input.executions.filter((x) => x.run !== 'r2');
      // Started (deadline t + 4 s, from a lease granted at t) and ran without a renewal until the freeze.
      exec(input, 'r2', 1, 200, t, 0, { end: false });
      input.incarnations[1] = {
        pid: 200,
        startedAt: T0 - MIN,
        killedAt: t + 20_000,
        skewMs: 0,
        stops: [{ at: t + at, until: t + 20_000 }],
      };
      exec(input, 'r2', 2, 100, t + takeover, 100);
      return kinds(input);
    };
    // Frozen before the next renewal was due (TTL/3 after the grant): the deadline stayed at t + 4 s.
    expect(frozenAt(500, 4100)).toEqual([]);
    expect(frozenAt(500, 3900)).toEqual(['run-overlap']);
    // Frozen after it: a renewal may have gone out just before, so the deadline is at most t + 2 s + 4 s.
    expect(frozenAt(2000, 6100)).toEqual([]);
    expect(frozenAt(2000, 5900)).toEqual(['run-overlap']);
  });

  it('checks that locks left by killed processes expired, and reports renewals applied after the death', () => {
    const input = clean();
    const lock = {
      lock_key: 'job:a',
      owner: 'host:200:abc',
      ttl_ms: 5000,
      renewed_at: new Date(T0 + 7 * MIN - 100),
    };
    input.locks = [lock];
    expect(kinds(input)).toEqual([]);
    expect(auditRun(input).figures.deadOwnerLocks).toBe(1);
    // A renewal sent before the death and applied late (a proxy fault, a queued server): reported, and the lease
    // has expired by the audit.
    input.locks = [{ ...lock, renewed_at: new Date(T0 + 8 * MIN) }];
    expect(kinds(input)).toEqual([]);
    expect(auditRun(input).figures.lateLockRenewals).toBe(1);
    // Not expired by the audit: a dead owner still blocks the schedule.
    input.serverNow = T0 + 8 * MIN + 1000;
    expect(kinds(input)).toEqual(['lock']);
    input.locks = [{ ...lock, owner: 'host:999:zzz' }];
    expect(kinds(input)).toEqual(['lock']);
  });

  it('expects the chained run of every successful run of a chaining schedule', () => {
    const input = clean();
    input.schedules[0].chain = ['chaos_chain_a'];
    expect(kinds(input).filter((k) => k === 'lost')).toHaveLength(6);
    for (const r of [...input.runs]) {
      input.runs.push({
        id: `c-${r.id}`,
        run_key: `chain:${r.id}:chaos_chain_a`,
        parent_run_id: r.id,
        job_name: null,
        trigger: 'chain',
        status: 'succeeded',
        lock_key: 'job:chaos_chain_a',
      });
    }
    expect(kinds(input)).toEqual([]);
    input.runs[input.runs.length - 1].status = 'pending';
    expect(kinds(input)).toEqual(['stuck']);
  });

  it('recognises a run left pending by a dead claimer and adopted after the lease', () => {
    const input = clean();
    input.leaseMs = 5000;
    for (const r of input.runs) r.created_at = new Date(r.slot.getTime() + 100);
    expect(auditRun(input).figures.adoptedAfterClaimerDied).toBe(0);
    // r2 was created 100 ms after its slot but first started 6 s later.
    input.executions = input.executions.map((x) => (x.run === 'r2' ? { ...x, t: x.t + 5100 } : x));
    expect(auditRun(input).figures.adoptedAfterClaimerDied).toBe(1);
  });

  it('measures lag in schedule time from real execution times', () => {
    const input = clean();
    input.clock = { epochMs: T0 - 10 * MIN, speed: 60 };
    // Real time T0+1000 maps to schedule time T0 - 10 min + (10 min + 1 s) × 60.
    const { figures } = auditRun(input);
    expect(figures.lagOnTime.min).toBeGreaterThan(0);
  });
});

describe('helpers', () => {
  it('percentile and pidOfReplica', () => {
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.99)).toBe(10);
    expect(percentile([1, 2, 3, 4], 0.5)).toBe(2);
    expect(percentile([], 0.5)).toBeNaN();
    expect(pidOfReplica('my-host:4242:x1y2z3')).toBe(4242);
    expect(pidOfReplica(null)).toBeNull();
  });
});
