/** User-facing strings of `craft-jobs runs …`. */
export const messages = {
  describe: 'Read the run history in the database, and cancel runs',
  missingSubcommand: 'choose a runs subcommand: list, get or cancel',
  json: 'Print JSON (snake_case run records, as the REST API returns them) instead of a table',

  list: {
    describe: 'List runs, newest first',
    schedule: 'Only runs of this schedule (job_name)',
    jobType: 'Only runs of this job type',
    status:
      'Only runs with this status: pending, running, succeeded, failed, timed_out, skipped, abandoned, cancelled (repeatable or comma-separated)',
    trigger: 'Only runs with this trigger: schedule, catch_up, chain, manual or backfill',
    limit: 'At most this many runs, 1-1000',
    examples: [
      ['$0 runs list', 'The 20 newest runs'],
      [
        '$0 runs list --schedule nightly-cleanup --status failed,timed_out --limit 5',
        'Recent problems of one schedule',
      ],
      ["$0 runs list --json | jq -r '.[].id'", 'For scripts'],
    ],
    none: 'No runs.',
    badStatus: (value: string, known: readonly string[]) =>
      `--status: unknown status "${value}"; the statuses are ${known.join(', ')}`,
    badTrigger: (value: string, known: readonly string[]) =>
      `--trigger: unknown trigger "${value}"; the triggers are ${known.join(', ')}`,
    badLimit: (value: string) => `--limit: invalid value "${value}": expected a whole number from 1 to 1000`,
  },
  get: {
    describe: 'Show one run: its attempts, result and errors',
    id: 'The run id (first column of runs list)',
    examples: [['$0 runs get 0b7c2a4e-5f1d-4c1b-9a51-0e6f3c1d2b7a', 'One run in detail']],
  },
  cancel: {
    describe:
      'Cancel a pending or running run: a pending one never starts; a running one is stopped by the process running it (exit 2 for a finished run)',
    id: 'The run id (first column of runs list)',
    examples: [
      ['$0 runs cancel 0b7c2a4e-5f1d-4c1b-9a51-0e6f3c1d2b7a', 'Cancel one run'],
      [
        "$0 runs list --status running --json | jq -r '.[].id' | xargs -n1 $0 runs cancel",
        'Cancel every running run',
      ],
    ],
    cancelled: (id: string) => `Cancelled run ${id}; it will not start.`,
    already: (id: string) => `Run ${id} is already cancelled.`,
    requested: (id: string, replica: string | null, withinSeconds: number) =>
      `Cancel requested for run ${id}${replica ? ` (running on ${replica})` : ''}: the process running it stops it at its next lease renewal, within ${withinSeconds} s (LOCK_TTL_SECONDS / 3), and records it cancelled once its handler has returned.`,
  },
} as const;
