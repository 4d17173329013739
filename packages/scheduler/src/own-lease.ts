// Runs that hold their own lease (spec section 10, `overlap_policy: allow`): no schedule lock, so runs of one schedule
// may overlap. A run's record is its lease: it is ours while `lease_owner` is this replica and its lease unexpired
// (renewed every TTL/3 by its heartbeat), and its token — the stored `fencing_token` + 1, written by its start —
// fences every later write of the run like a lock token does (a replica that recovers it after its lease expired
// adopts it first and starts it with a greater token, so a stalled former holder's writes no longer match). Each slot
// is still exactly once: the run key of the slot decides at the claim, and a run starts only from `pending` by a
// compare-and-set. The replica's run cap (`maxConcurrentRuns`) bounds how many of its handlers run at once.
import type { EngineContext, FollowUps } from './engine.js';
import { executeBatch } from './execute.js';
import { Heartbeat } from './heartbeat.js';
import type { JobRun } from './model.js';

/**
 * Executes a pending run that holds its own lease and is ours (inserted or adopted by this replica, with the write
 * sent at `basis`, monotonic) under a heartbeat of its own. Resolves with its final (or last known) record.
 */
export function executeOwnLease(
  ctx: EngineContext,
  run: JobRun,
  basis: number,
  followUps: FollowUps,
): Promise<JobRun[]> {
  const hb = new Heartbeat(ctx, run.lockKey, basis);
  hb.cover(run.id);
  // The token its start writes: one more than any start before it (a recovered run's old holder had the stored one).
  hb.attachOwn((run.fencingToken ?? 0) + 1, basis);
  return executeBatch(ctx, hb, [run], followUps);
}
