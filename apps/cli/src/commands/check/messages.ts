/** User-facing strings of `craft-jobs check`. */
export const messages = {
  describe:
    'Run one scheduler cycle against the database: trigger every due schedule, wait for the runs, print them (exit 1 if any failed, 3 if any timed out)',
  json: 'Print { at, runs, deferred, initialized } as JSON (runs are snake_case records)',
  examples: [
    [
      'MONGODB_URI=mongodb://db:27017/ CRAFT_JOBS=./jobs.js $0 check',
      'One cycle, e.g. from crontab every minute',
    ],
    ["$0 check --json | jq '.runs[] | {job_name, status}'", 'For scripts'],
  ],
} as const;
