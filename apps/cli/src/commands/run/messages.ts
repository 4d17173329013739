/** User-facing strings of `craft-jobs run`. */
export const messages = {
  describe:
    'Run a registered job once, with its retries and timeout; exit 0 on success, 1 on failure or cancel, 3 on timeout',
  jobType:
    'The job type: one of your jobs module, or a built-in (calculate_next_schedules, cleanup_run_history)',
  param:
    'A parameter key=value (repeatable); the value is parsed as JSON when it is valid JSON (5, true, ["a"]), else taken as a string',
  params: 'All parameters as one JSON object; --param entries are applied over it',
  maxAttempts: "Attempt budget for this run (default: the job's)",
  timeoutSeconds: "Timeout of each attempt, in seconds, for this run (default: the job's)",
  idempotencyKey:
    'Run once per key (default: CRAFT_IDEMPOTENCY_KEY): when an earlier invocation with this key started a run of ' +
    'the same job and parameters, start nothing and report that run (waiting for it to finish); give the cron ' +
    "run's or CI job's id so a retried invocation does not run the job twice. The key with another job or " +
    'parameters is an error (exit 2)',
  quiet: 'Print no progress on stderr (warnings, errors and the result still show)',
  json: 'Print the finished run as JSON (its snake_case record) instead of a summary',
  examples: [
    ['$0 run calculate_next_schedules', 'Repair next_run_at of every schedule (a built-in job)'],
    [
      'CRAFT_JOBS=./jobs.js $0 run send_report --param day=2027-03-28 --param dry_run=true',
      'Run one of your jobs',
    ],
    [
      `$0 run cleanup_run_history --params '{"older_than_days": 90}' --timeout-seconds 600`,
      'Parameters as JSON',
    ],
    ['$0 run send_report --json | jq .status', 'For scripts'],
    [
      '$0 run send_report --idempotency-key "$CI_PIPELINE_ID"',
      'A retried pipeline reports the first run instead of sending the report twice',
    ],
  ],

  notRecorded:
    'no database configured (MONGODB_URI is not set): the job runs in this process only and the run is not recorded',
  stoppedBeforeStart: (signal: string) => `${signal} arrived before the job started; nothing ran`,
  recordedIn: (db: string) => `recording the run in MongoDB database "${db}"`,
  replayed: (id: string, status: string) =>
    `an earlier invocation with this idempotency key started run ${id} (now ${status}); nothing new started, ` +
    'reporting that run',
  keyWithoutDatabase:
    'an idempotency key only protects against a retried invocation when runs are recorded in a database (set MONGODB_URI)',
} as const;
