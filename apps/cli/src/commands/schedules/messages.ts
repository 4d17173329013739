/** User-facing strings of `craft-jobs schedules …`. */
export const messages = {
  describe:
    'List, show, create, update, enable, disable, delete and backfill schedules in the database; apply and export them as a file',
  missingSubcommand:
    'choose a schedules subcommand: list, get, create, update, delete, enable, disable, apply, export or backfill',
  json: 'Print JSON (snake_case schedule records, as the REST API returns them) instead of a table',
  name: 'The schedule name (job_name)',

  list: {
    describe: 'List schedules, sorted by name',
    enabled: 'Only enabled schedules',
    disabled: 'Only disabled schedules',
    jobType: 'Only schedules of this job type',
    examples: [
      ['$0 schedules list', 'Every schedule with its next run'],
      ['$0 schedules list --disabled --json', 'Disabled schedules, for scripts'],
    ],
    none: 'No schedules.',
  },
  get: {
    describe: 'Show one schedule and its next runs',
    examples: [['$0 schedules get nightly-cleanup', 'One schedule in detail']],
  },
  create: {
    describe: 'Create a schedule from flags or a JSON file (validated as the API validates it)',
    examples: [
      [
        `$0 schedules create --name nightly-cleanup --cron '0 3 * * *' --job-type cleanup_expired_tokens --param batch=500`,
        'Every night at 03:00 in the default zone',
      ],
      [
        `$0 schedules create --name weekday-report --cron '0 9 * * 0-4' --timezone America/New_York --job-type send_report --chain archive-reports`,
        '09:00 Monday-Friday (ISO weekdays: 0 = Monday), then the archive-reports schedule',
      ],
      ['$0 schedules create --file schedule.json', 'From a file with the snake_case fields of the API'],
      [
        '$0 schedules create --file schedule.json --idempotency-key "$CI_PIPELINE_ID"',
        'A retried pipeline answers the schedule it created instead of failing with "exists"',
      ],
    ],
    idempotencyKey:
      'Create once per key (default: CRAFT_IDEMPOTENCY_KEY): when an earlier invocation with this key created this ' +
      'schedule from the same fields, print that schedule and exit 0 instead of failing with "exists"; the key ' +
      'with other fields for that name is an error (exit 2)',
    missing: (fields: readonly string[]) =>
      `schedules create: missing ${fields.join(', ')}; give them as flags or in --file`,
    done: (name: string, next: string) => `Created schedule "${name}"; next run at ${next}.`,
  },
  update: {
    describe: 'Change the given fields of a schedule (the others keep their values)',
    examples: [
      [
        `$0 schedules update nightly-cleanup --cron '30 2 * * *'`,
        'Move it; next_run_at is recomputed at once',
      ],
      ['$0 schedules update nightly-cleanup --param batch=1000', 'Set one parameter, keep the others'],
      [`$0 schedules update nightly-cleanup --timezone ''`, "Back to the scheduler's default zone"],
      ['$0 schedules update nightly-cleanup --file patch.json', 'The fields present in the file'],
    ],
    nothing: (name: string) =>
      `schedules update ${name}: nothing to change; give the fields to change as flags (see --help) or in --file`,
    ifVersion:
      'Apply the change only while the schedule is at this version (its "version" field, the API\'s ETag); ' +
      'default: the version this command reads first, so a change made meanwhile by someone else is never ' +
      'overwritten (exit 75: read it again and redo the change)',
    rename: (name: string, other: string) =>
      `--file: job_name "${other}" differs from the schedule being updated ("${name}"); a schedule cannot be renamed: create the new one and delete the old one`,
    done: (name: string, next: string) => `Updated schedule "${name}"; next run at ${next}.`,
  },
  delete: {
    describe: 'Delete a schedule (its run history is kept)',
    examples: [['$0 schedules delete nightly-cleanup', 'Delete it']],
    done: (name: string) => `Deleted schedule "${name}" (its run history is kept).`,
  },
  enable: {
    describe: 'Enable a schedule; its next run is computed from now (missed slots are not caught up)',
    examples: [['$0 schedules enable nightly-cleanup', 'Enable it']],
    done: (name: string, next: string) => `Enabled schedule "${name}"; next run at ${next}.`,
  },
  disable: {
    describe: 'Disable a schedule: it is never triggered until enabled again (recorded as paused by cli)',
    reason: 'Why it is disabled (stored as paused_reason; cleared when enabled again)',
    examples: [
      ['$0 schedules disable nightly-cleanup', 'Pause it'],
      [`$0 schedules disable nightly-cleanup --reason 'downstream outage, INC-42'`, 'Pause it, saying why'],
    ],
    done: (name: string, reason: string | null) =>
      `Disabled schedule "${name}"${reason ? ` (reason: ${reason})` : ''}.`,
  },
  apply: {
    describe:
      'Apply a JSON file of schedules (schedules as code): print the diff, then create and update what the file declares',
    file: 'JSON file: {"schedules": [ … ]} or an array of schedule objects with the API\'s snake_case fields',
    dryRun: 'Print the diff only; change nothing',
    prune:
      'Also delete schedules that apply created or adopted before (managed_by sync) and the file no longer has',
    examples: [
      ['$0 schedules apply schedules.json --dry-run', 'What would change'],
      ['$0 schedules apply schedules.json --prune', 'Make the database match the file'],
    ],
    notObject: 'expected {"schedules": [ … ]} or an array of schedule objects',
    notEntry: (i: number) => `entry ${i + 1} is not an object of schedule fields`,
    nothing: 'No changes.',
    dryRunDone: (n: number) => `Dry run: ${n} change(s) would be made; nothing was written.`,
    done: (n: number) => `Applied ${n} change(s).`,
  },
  export: {
    describe:
      'Write every schedule as a JSON file that schedules apply takes back (user fields only, no runtime state)',
    output: 'Write to this file instead of standard output',
    examples: [
      ['$0 schedules export > schedules.json', 'Every schedule, to a file'],
      ['$0 schedules export -o schedules.json', 'The same'],
    ],
    written: (n: number, path: string) => `Exported ${n} schedule(s) to ${path}.`,
  },

  ifVersion:
    'Apply only while the schedule is at this version (its "version" field, the API\'s ETag); exit 75 and change ' +
    'nothing when it was changed since',

  backfill: {
    describe:
      'Run every slot of a schedule in [--from, --to) once, oldest first (slots already recorded are reported, not run again); without --wait the runs are recorded for a running scheduler to execute',
    from: 'The first instant of the range (inclusive), ISO 8601 with an offset, e.g. 2027-03-01T00:00:00Z',
    to: 'The end of the range (exclusive), not after now, e.g. 2027-03-02T00:00:00Z',
    maxSlots:
      'The most slots the range may hold, 1-10000 (a range with more is refused, exit 2) [default: 1000]',
    concurrency: 'Runs at once, 1-10; above 1 only for a schedule whose overlap_policy is allow [default: 1]',
    wait: 'Run the backfill here and wait for it (exit 1 if any run failed, 3 if any timed out)',
    quiet: 'With --wait: print no progress on stderr',
    examples: [
      [
        '$0 schedules backfill nightly-report --from 2027-03-01T00:00:00Z --to 2027-03-08T00:00:00Z',
        'Record the runs of a missed week; the API (a running scheduler) runs them one after another',
      ],
      [
        '$0 schedules backfill sync --from 2027-03-01T00:00:00Z --to 2027-03-01T06:00:00Z --wait',
        'Run them here, now, and wait',
      ],
    ],
    badInstant: (flag: string, value: string) =>
      `${flag}: invalid value "${value}": expected an ISO 8601 instant with an offset, e.g. 2027-03-01T00:00:00Z`,
    recorded: (name: string, created: number, slots: number, already: number) =>
      `Backfill of "${name}": ${slots} slot${slots === 1 ? '' : 's'} in the range; recorded ${created} run${
        created === 1 ? '' : 's'
      }${already > 0 ? `, ${already} already recorded (not run again)` : ''}.${
        created > 0 ? ' A running scheduler (the API) runs them one after another.' : ''
      }`,
    ran: (name: string, created: number, slots: number, already: number) =>
      `Backfill of "${name}": ${slots} slot${slots === 1 ? '' : 's'} in the range; ran ${created}${
        already > 0 ? `, ${already} already recorded (not run again)` : ''
      }.`,
  },

  fields: {
    name: 'The schedule name (job_name), unique',
    cron: "The 5-field cron expression (ISO weekdays: 0 = Monday); quote it, e.g. --cron '0 3 * * *'",
    jobType: 'The registered job type it runs (job_type)',
    param:
      'A parameter key=value (repeatable); the value is parsed as JSON when it is valid JSON, else taken as a string. On update it sets one key and keeps the others',
    params:
      'All parameters as one JSON object (on update: replaces them); --param entries are applied over it',
    description: 'Free text; an empty value clears it',
    timezone:
      "IANA zone of the cron expression; an empty value means the scheduler's default (SCHEDULER_TIMEZONE)",
    maxAttempts: "Attempt budget of each run; an empty value means the job's default",
    timeoutSeconds: "Timeout of each attempt in seconds; an empty value means the job's default",
    chain:
      "A schedule (else job type) to run after each successful run (repeatable, in order); --chain '' clears it",
    missedRunPolicy: 'What happens to slots that passed unclaimed: skip, once (default) or all',
    catchUpWindowSeconds: 'Missed slots older than this are skipped, not run; an empty value means no limit',
    maxCatchUpRuns: 'With missed-run policy all, at most this many missed slots run (default 10)',
    dstGap:
      'A matching wall time that does not exist (spring forward): skip it that day (default), or shift it to the first minute after the gap',
    dstOverlap:
      'A wall time that occurs twice (fall back): run at the first occurrence (default), the last, or both',
    jitterSeconds:
      'Start each run up to this many seconds after its slot (0-3600, a fixed offset per name and slot; default 0)',
    pauseAfterFailures:
      'Disable the schedule after this many consecutive failed, timed-out or abandoned runs; an empty value means never',
    overlapPolicy:
      'What a due slot does while a run of the schedule still runs: defer (default: waits for it), skip (recorded skipped), allow (runs overlap) or cancel_running (the running run is cancelled)',
    disabled: 'Create it disabled (update: disable it)',
    enabled: 'Enable it',
    file: 'A JSON file with the snake_case schedule fields of the API (job_name, cron_expression, job_type, …); flags override its fields',
  },
  badFile: (path: string, reason: string) => `--file: cannot use ${path}: ${reason}`,
} as const;
