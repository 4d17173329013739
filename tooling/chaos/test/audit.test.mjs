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
    });
    // Real time = schedule time here (speed 1); each execution takes 100 ms, 1 s after its slot.
    executions.push({ e: 's', run: id, att: 1, pid: 100, t: slot + 1000 });
    executions.push({ e: 'e', run: id, att: 1, pid: 100, t: slot + 1100 });
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

  it('finds an attempt started twice, and a run completed twice by live processes', () => {
    const input = clean();
    input.executions.push({ e: 's', run: 'r2', att: 1, pid: 100, t: T0 + 10 * MIN + 2000 });
    expect(kinds(input)).toContain('duplicate-execution');
    const again = clean();
    again.executions.push({ e: 's', run: 'r2', att: 2, pid: 100, t: T0 + 10 * MIN + 2000 });
    again.executions.push({ e: 'e', run: 'r2', att: 2, pid: 100, t: T0 + 10 * MIN + 2100 });
    expect(kinds(again)).toEqual(['duplicate-execution']);
  });

  it('accepts a re-execution after a live executor lost its lease (attempt recorded abandoned), and counts it', () => {
    const input = clean();
    input.runs[1] = {
      ...input.runs[1],
      attempts: [
        { attempt: 1, status: 'abandoned' },
        { attempt: 2, status: 'succeeded' },
      ],
    };
    input.executions.push({ e: 's', run: 'r1', att: 2, pid: 100, t: T0 + 5 * MIN + 9000 });
    input.executions.push({ e: 'e', run: 'r1', att: 2, pid: 100, t: T0 + 5 * MIN + 9100 });
    const { violations, figures } = auditRun(input);
    expect(violations).toEqual([]);
    expect(figures.reExecutedAfterLeaseLoss).toBe(1);
    // Without the abandoned attempt on record, the same history is a duplicate execution.
    input.runs[1] = { ...input.runs[1], attempts: [{ attempt: 1, status: 'succeeded' }] };
    expect(kinds(input)).toEqual(['duplicate-execution']);
  });

  it('accepts a re-execution after the first executor was killed, and counts it', () => {
    const input = clean();
    // pid 200 ran r1 and died (killed at T0+7min) before recording it; pid 100 ran it again.
    input.executions = input.executions.filter((x) => x.run !== 'r1');
    input.executions.push({ e: 's', run: 'r1', att: 1, pid: 200, t: T0 + 5 * MIN + 1000 });
    input.executions.push({ e: 'e', run: 'r1', att: 1, pid: 200, t: T0 + 5 * MIN + 1100 });
    input.executions.push({ e: 's', run: 'r1', att: 2, pid: 100, t: T0 + 7 * MIN + 6000 });
    input.executions.push({ e: 'e', run: 'r1', att: 2, pid: 100, t: T0 + 7 * MIN + 6100 });
    const { violations, figures } = auditRun(input);
    expect(violations).toEqual([]);
    expect(figures.reExecutedAfterCrash).toBe(1);
  });

  it('finds two executions under one lock overlapping in time', () => {
    const input = clean();
    input.executions.push({ e: 's', run: 'r9', att: 1, pid: 100, t: T0 + 1050 });
    input.executions.push({ e: 'e', run: 'r9', att: 1, pid: 100, t: T0 + 1500 });
    input.runs.push({ id: 'r9', job_name: null, lock_key: 'job:a', trigger: 'manual', status: 'succeeded' });
    expect(kinds(input)).toEqual(['overlap']);
  });

  it('ends a killed execution at its kill, so a takeover after the kill is no overlap', () => {
    const input = clean();
    input.executions.push({ e: 's', run: 'k', att: 1, pid: 200, t: T0 + 7 * MIN - 50 });
    input.runs.push({ id: 'k', job_name: null, lock_key: 'job:a', trigger: 'manual', status: 'succeeded' });
    input.executions.push({ e: 's', run: 'k', att: 2, pid: 100, t: T0 + 7 * MIN + 5000 });
    input.executions.push({ e: 'e', run: 'k', att: 2, pid: 100, t: T0 + 7 * MIN + 5100 });
    const { violations, figures } = auditRun(input);
    expect(violations).toEqual([]);
    expect(figures.killedMidRun).toBe(1);
  });

  it('checks locks left by killed processes', () => {
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
    input.locks = [{ ...lock, renewed_at: new Date(T0 + 8 * MIN) }];
    expect(kinds(input)).toEqual(['lock']);
    input.serverNow = T0 + 8 * MIN + 1000;
    expect(kinds(input)).toEqual(['lock', 'lock']);
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
