// The exit status a set of finished runs gives: `check` treats a cancelled run like a skipped slot; `run`, which ran
// that one job, exits 1 for it.
import type { JobRun, RunStatus } from '@craft/scheduler';
import { describe, expect, it } from 'vitest';
import { exitStatusForRuns } from '../src/lib/watch-runs.js';

const run = (status: RunStatus) => ({ status }) as JobRun;

describe('exitStatusForRuns', () => {
  it('counts a cancelled run like a skipped one for a cycle (check, catch-up, backfill --wait)', () => {
    expect(exitStatusForRuns([run('succeeded'), run('cancelled'), run('skipped')])).toBe(0);
    expect(exitStatusForRuns([run('cancelled'), run('timed_out')])).toBe(3);
    expect(exitStatusForRuns([run('cancelled'), run('failed')])).toBe(1);
  });

  it('makes a cancelled run a failure for `run` (cancelledFails)', () => {
    expect(exitStatusForRuns([run('cancelled')], undefined, { cancelledFails: true })).toBe(1);
    expect(exitStatusForRuns([run('succeeded')], undefined, { cancelledFails: true })).toBe(0);
  });
});
