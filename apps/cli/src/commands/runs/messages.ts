/** User-facing strings of `craft-jobs runs …`. */
export const messages = {
  describe: 'Read and follow the run history in the database, and cancel runs',
  missingSubcommand: 'choose a runs subcommand: list, get, watch or cancel',
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
  watch: {
    describe: 'Follow run and schedule events as they happen, from every replica (until Ctrl-C)',
    jobName: 'Only events of this schedule (job_name)',
    type: 'Only events of these types, e.g. run:failed,run:timed_out (repeatable or comma-separated)',
    since:
      'Start with the events since then: an ISO 8601 instant or a duration ago (90s, 15m, 2h, 1d); events are kept 7 days',
    after: 'Start after this event id (the "id" of a --json line), e.g. to resume a script',
    json: 'Print one JSON object per event and line (id, type, at, job_name, run_id, data), as GET /jobs/events sends them',
    examples: [
      ['$0 runs watch', 'A live table of runs on a terminal; one line per event in a pipe'],
      ['$0 runs watch --job-name nightly-cleanup --since 1h', 'One schedule, starting with the last hour'],
      ["$0 runs watch --type run:failed,run:timed_out --json | jq -r '.job_name'", 'Failures, for scripts'],
    ],
    waiting: 'Waiting for events… (Ctrl-C to stop)',
    started: (database: string) => `watching the event log of database ${database} (Ctrl-C to stop)`,
    stopped: (signal: string) => `${signal}: stopped watching`,
    reset: (id: string, reason: string) =>
      `--after ${id} cannot be resumed (${reason === 'expired' ? 'older than the 7 days events are kept' : reason === 'unknown' ? 'not an id of this database' : 'not an event id'}); watching from now`,
    badSince: (value: string) =>
      `--since: invalid value "${value}": expected an ISO 8601 instant (2027-03-28T01:00:00Z) or a duration such as 90s, 15m, 2h, 1d`,
    badType: (value: string) =>
      `--type: invalid event type "${value}": expected area:action, e.g. run:failed or schedule:updated`,
    sinceAndAfter: '--after: use either --since or --after, not both',
    noEventLog: 'runs watch: the configured store keeps no event log',
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
