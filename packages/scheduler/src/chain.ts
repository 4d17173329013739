// Chains (spec section 4): after a successful run, each name of its schedule's chain becomes its own run, in list
// order, exactly once per (parent run, name) — the run key `chain:<parent>:<name>` — and the queued chained runs are
// executed one after another, each under its own lock.
//
// Fencing of the spawns: right before the inserts, a fenced write proves the parent is still ours (running, our
// lease owner, the lock token we hold, this attempt). The inserts follow it, each bounded by the lease's deadline.
// Residual window: a replica that stalls between that proof and an insert (and whose insert lands after its lease
// lapsed) can still insert a chained run; that is harmless — its key is unique per (parent run, name), so a newer
// holder re-executing the parent finds it instead of inserting a second one — and the local deadline (past which
// nothing is sent, with max(1 s, TTL/5) left before the store expires the lease) keeps the window to in-flight time.
//
// The queued chained runs are leased to this replica from their insert on, and a heartbeat of their own renews those
// leases until each starts (then its lock's heartbeat covers it), so recovery elsewhere does not take a queued run
// while a long sibling before it still runs: list order holds unless a lock is contended or this replica's lease
// deadline passes.
import { type EngineContext, type FollowUps, newRun } from './engine.js';
import { toRunError } from './errors.js';
import { executeBatch, leaseGone, stopPending } from './execute.js';
import { create, type Gone, readUnder, written } from './guarded-writes.js';
import { Heartbeat } from './heartbeat.js';
import { chainRunKey, type JobRun, jobLockKey } from './model.js';
import { runLogFields } from './run-log.js';
import { handBack, proveHeld } from './run-transitions.js';

/** The chained runs of a successful run, and the heartbeat that keeps the pending ones leased until they start. */
export interface Dispatched {
  /** The chained run records (new or already present), in list order. */
  children: JobRun[];
  /** Renews the leases of the pending ones we inserted; null when there are none. */
  queue: Heartbeat | null;
}

/**
 * Inserts the chained runs of a successful run (its schedule's `chain`, in order: as of the start of its last
 * attempt when `known`, else read now). Each name resolves to a schedule (disabled: recorded as skipped) or else a
 * registered job type (empty parameters); an unknown name is recorded as skipped.
 */
export async function dispatchChain(
  ctx: EngineContext,
  hb: Heartbeat,
  parent: JobRun,
  known: string[] | null,
): Promise<Dispatched | Gone> {
  const none: Dispatched = { children: [], queue: null };
  if (!parent.jobName) return none;
  const jobName = parent.jobName;
  let names = known;
  if (names === null) {
    const s = await readUnder(ctx, hb, 'getSchedule', () => ctx.store.getSchedule(jobName));
    if (s === 'expired') return s;
    names = s?.chain ?? [];
  }
  if (names.length === 0) return none;
  // Fenced proof that the parent is still ours, right before the inserts (see the file comment).
  const proof = await proveHeld(ctx, hb, parent);
  if (!written(proof)) return proof;
  const queue = new Heartbeat(ctx, `chain of ${parent.id}`, ctx.mono(), true);
  const children: JobRun[] = [];
  for (const name of names) {
    const runKey = chainRunKey(parent.id, name);
    const target = await readUnder(ctx, hb, 'getSchedule', () => ctx.store.getSchedule(name));
    if (target === 'expired') {
      await queue.stop();
      return target;
    }
    const def = ctx.jobs.get(target ? target.jobType : name);
    const base = {
      runKey,
      slot: parent.slot,
      trigger: 'chain' as const,
      parentRunId: parent.id,
      lockKey: jobLockKey(name),
    };
    const run = target
      ? newRun(ctx, {
          ...base,
          jobType: target.jobType,
          jobName: name,
          parameters: target.parameters,
          maxAttempts: target.maxAttempts ?? def?.maxAttempts ?? 3,
          timeoutSeconds: target.timeoutSeconds ?? def?.timeoutSeconds ?? 300,
          ...(target.isEnabled ? {} : { status: 'skipped' as const, result: { reason: 'disabled' } }),
        })
      : newRun(ctx, {
          ...base,
          jobType: name,
          jobName: null,
          parameters: {},
          maxAttempts: def?.maxAttempts ?? 1,
          timeoutSeconds: def?.timeoutSeconds ?? 300,
          ...(def ? {} : { status: 'skipped' as const, result: { reason: 'unknown_chain_target' } }),
        });
    const inserted = await create(ctx, hb, run);
    if (inserted === 'expired') {
      await queue.stop();
      return inserted;
    }
    if (inserted) {
      children.push(run);
      if (run.status === 'skipped') {
        ctx.emit('run:skipped', { run, reason: String((run.result as { reason: string }).reason) });
      } else {
        queue.cover(run.id);
        ctx.active.add(run.id);
        ctx.emit('run:created', { run });
      }
    } else {
      const existing = await readUnder(ctx, hb, 'getRunByKey', () => ctx.store.getRunByKey(runKey));
      if (existing === 'expired') {
        await queue.stop();
        return existing;
      }
      if (existing) children.push(existing);
    }
  }
  if (queue.runIds.size === 0) {
    await queue.stop();
    return { children, queue: null };
  }
  return { children, queue };
}

/**
 * Runs queued chained runs in list order, each under its own lock; `queue` renews their leases until each starts.
 * A taken lock leaves the run pending for recovery; a run whose queue lease was lost or whose deadline passed is
 * left as it is (recovery elsewhere takes it once its lease expired).
 */
export async function runChained(
  ctx: EngineContext,
  queue: Heartbeat,
  runs: JobRun[],
  followUps: FollowUps,
): Promise<JobRun[]> {
  const out: JobRun[] = [];
  try {
    for (const run of runs) {
      if (queue.lostRuns.has(run.id)) {
        out.push(run);
        continue;
      }
      if (queue.expired) {
        out.push(leaseGone(ctx, queue, run, 'expired', 'queued'));
        continue;
      }
      if (ctx.softStop.aborted) {
        out.push(await stopPending(ctx, queue, run));
        queue.runIds.delete(run.id);
        continue;
      }
      if (!ctx.jobs.get(run.jobType)) {
        // A rolling deploy: leave it to a replica that knows its job type.
        ctx.warnOnce(
          `type:${run.jobType}`,
          'run has a job type this replica does not know; left for other replicas',
          runLogFields(run),
        );
        const r = await handBack(ctx, queue, run);
        queue.runIds.delete(run.id);
        out.push(written(r) ? r : run);
        continue;
      }
      const basis = ctx.mono();
      const hb = new Heartbeat(ctx, run.lockKey, basis);
      let lease = null;
      try {
        lease = await hb.acquire(() => ctx.lock.acquire(run.lockKey, ctx.replicaId, ctx.lockTtlMs));
      } catch (error) {
        // The lock store failed: the remaining runs keep their order by staying queued until recovery takes them.
        await hb.stop();
        ctx.logger.warn('could not take the lock of a chained run; it is left for recovery', {
          ...runLogFields(run),
          error: toRunError(error).message,
        });
        out.push(run);
        break;
      }
      if (!lease) {
        await hb.stop();
        ctx.emit('lock:contended', { key: run.lockKey, jobName: run.jobName });
        const r = await handBack(ctx, queue, run);
        queue.runIds.delete(run.id);
        out.push(written(r) ? r : run);
        continue;
      }
      hb.attach(lease, basis);
      // From here the lock's heartbeat renews the run's lease.
      queue.runIds.delete(run.id);
      const [final] = await executeBatch(ctx, hb, [run], followUps);
      out.push(final ?? run);
    }
  } finally {
    await queue.stop();
    for (const r of runs) ctx.active.delete(r.id);
  }
  // Runs not reached (the loop stopped early) are reported as last known.
  for (const r of runs.slice(out.length)) out.push(r);
  return out;
}
