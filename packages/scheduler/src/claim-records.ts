// Recording a claim's planned slots (claim.ts): one run record per slot, oldest first, in as few round trips as the
// missed-run budget allows. A slot's decision only depends on what was recorded before it through the budget: a
// planned catch-up run is recorded skipped once `budget` missed slots of the gap run (whoever recorded them). So:
// - a slot whose decision the budget cannot change (a planned skip, a current slot, a catch-up run once the budget
//   is spent — it only grows) joins a batch: up to BATCH of them go to the store in one `insertRuns` call, and the
//   slots of the batch found taken are looked up in one `listRuns({ runKeys })` call;
// - a catch-up run while the budget is not spent is recorded alone, after every older slot's record is known, as
//   the one-at-a-time claim did: whatever batches two claimers of the same gap send, each decides such a slot from
//   the records of all older slots, so the gap never runs more missed slots than its policy allows (claim.ts).
// A long catch-up (up to max_skip_records records, 1,000 by default) is then a handful of calls instead of one per
// slot; a claimer that lost its lease part-way and the one that re-plans the gap after it find the recorded slots
// in one look-up per batch, so each try gets further than the last even when every call is slow.
import type { EngineContext } from './engine.js';
import { create, createMany, readUnder } from './guarded-writes.js';
import type { Heartbeat } from './heartbeat.js';
import type { SlotDecision } from './missed-runs.js';
import type { JobRun, JobSchedule } from './model.js';

/** The most slot records sent in one `insertRuns` call (and run keys in one look-up). */
export const BATCH = 500;

/** What recording the slots did. */
export interface RecordedSlots {
  /** Pending runs to execute: newly inserted, or missed slots' pending records adopted from a dead claimer. */
  toRun: JobRun[];
  /** Every record inserted (pending and skipped), oldest slot first. */
  created: JobRun[];
  /** Run keys of current slots another claimer had recorded (adopted after the compare-and-set, see claim.ts). */
  duplicates: string[];
}

/**
 * Looks up the records of `keys` under the lease: one `getRunByKey` for one key, else `listRuns({ runKeys })` per
 * {@link BATCH} keys. The answer is matched to the keys here (an adapter may return more).
 */
export async function runsByKey(
  ctx: EngineContext,
  hb: Heartbeat,
  keys: readonly string[],
): Promise<Map<string, JobRun> | 'expired'> {
  const found = new Map<string, JobRun>();
  if (keys.length === 1) {
    const key = keys[0] as string;
    const run = await readUnder(ctx, hb, 'getRunByKey', () => ctx.store.getRunByKey(key));
    if (run === 'expired') return run;
    if (run) found.set(key, run);
    return found;
  }
  const wanted = new Set(keys);
  for (let i = 0; i < keys.length; i += BATCH) {
    const runKeys = keys.slice(i, i + BATCH);
    const runs = await readUnder(ctx, hb, 'listRuns', () => ctx.store.listRuns({ runKeys }));
    if (runs === 'expired') return runs;
    for (const run of runs) if (wanted.has(run.runKey)) found.set(run.runKey, run);
  }
  return found;
}

/**
 * Records `decisions` (the plan of a claim of `schedule`, oldest first) as run records built by `toRecord`.
 */
export async function recordSlots(
  ctx: EngineContext,
  hb: Heartbeat,
  schedule: JobSchedule,
  decisions: readonly SlotDecision[],
  toRecord: (decision: SlotDecision) => JobRun,
): Promise<RecordedSlots | 'expired'> {
  const out: RecordedSlots = { toRun: [], created: [], duplicates: [] };
  const policy = schedule.missedRunPolicy;
  // How many missed slots of the gap may run.
  const budget = policy === 'once' ? 1 : policy === 'all' ? schedule.maxCatchUpRuns : 0;
  // An `allow` schedule's claimer holds no lock: pending records of a dead claimer are left to recovery.
  const own = schedule.overlapPolicy === 'allow';
  // Missed slots of this gap that run, whoever recorded them (another claimer of the same gap, see claim.ts).
  let missedRuns = 0;
  const open = (d: SlotDecision) => d.action === 'run' && d.trigger === 'catch_up' && missedRuns < budget;
  // A planned catch-up run past the budget is recorded skipped, with the policy's reason.
  const decide = (d: SlotDecision): SlotDecision =>
    d.action === 'run' && d.trigger === 'catch_up' && missedRuns >= budget
      ? {
          slot: d.slot,
          trigger: 'catch_up',
          action: 'skip',
          reason: policy === 'once' ? 'superseded' : 'max_catch_up_runs',
        }
      : d;
  let i = 0;
  while (i < decisions.length) {
    let end = i + 1;
    if (!open(decisions[i] as SlotDecision)) {
      while (end < decisions.length && end - i < BATCH && !open(decisions[end] as SlotDecision)) end++;
    }
    const batch = decisions.slice(i, end).map(decide);
    i = end;
    const runs = batch.map(toRecord);
    // A lone record goes through the insert batcher (sent with the inserts of concurrent claims, insert-batcher.ts).
    const inserted =
      runs.length === 1 ? await create(ctx, hb, runs[0] as JobRun) : await createMany(ctx, hb, runs);
    if (inserted === 'expired') return inserted;
    const results = Array.isArray(inserted) ? inserted : [inserted];
    // The missed slots found taken: their records count against the budget (and a pending one is adopted).
    const takenMissed = runs.filter((r, k) => !results[k] && r.trigger === 'catch_up').map((r) => r.runKey);
    const existing =
      takenMissed.length > 0 ? await runsByKey(ctx, hb, takenMissed) : new Map<string, JobRun>();
    if (existing === 'expired') return existing;
    runs.forEach((run, k) => {
      const d = batch[k] as SlotDecision;
      if (results[k]) {
        if (run.trigger === 'catch_up' && run.status === 'pending') missedRuns++;
        out.created.push(run);
        if (run.status === 'pending') {
          out.toRun.push(run);
          ctx.emit('run:created', { run });
        } else ctx.emit('run:skipped', { run, reason: String(d.reason) });
        return;
      }
      ctx.emit('claim:conflict', { jobName: schedule.jobName, reason: 'slot_taken' });
      // A current slot's record only matters if it is a pending one to adopt, decided after the compare-and-set.
      if (run.trigger !== 'catch_up') {
        out.duplicates.push(run.runKey);
        return;
      }
      const found = existing.get(run.runKey);
      if (found && found.status !== 'skipped') missedRuns++;
      if (!own && found && found.status === 'pending' && !ctx.active.has(found.id)) out.toRun.push(found);
    });
  }
  return out;
}
