/** User-facing strings of `craft-jobs cron …`. */
export const messages = {
  describe: 'Preview, explain and convert cron expressions (ISO weekdays: 0 = Monday … 6 = Sunday)',
  missingSubcommand: 'choose a cron subcommand: next, explain or convert',

  next: {
    describe: 'Show the next runs in local time and UTC, and the slots a DST change skips',
    expr: 'The 5-field cron expression, quoted as one argument',
    tz: 'IANA timezone the expression is evaluated in (default: SCHEDULER_TIMEZONE, else Europe/Stockholm)',
    count: 'How many runs to show (1-1000)',
    from: 'Start at this instant (inclusive), ISO 8601 with Z or an offset (default: now)',
    json: 'Print JSON for scripts instead of a table',
    dstGap:
      'A matching wall time that does not exist (spring forward): skip it that day (default), or shift it to the first minute after the gap',
    dstOverlap:
      'A wall time that occurs twice (fall back): run at the first occurrence (default), the last, or both',
    jitterSeconds: 'Show the planned start of each run with this jitter (0-3600 s; needs --job-name)',
    jobName: 'The schedule name the jitter offsets are computed for',
    jitterNeedsName:
      '--jitter-seconds needs --job-name: jitter offsets are a function of the name and the slot',
    shifted: (wallTimes: string) => `shifted: stands for ${wallTimes} (DST gap)`,
    occurrence: (which: string) => `${which} occurrence (DST overlap)`,
    jitter: (startsAt: string, seconds: string) => `starts ${startsAt} (+${seconds} s jitter)`,
    notesHeader: 'Notes',
    examples: [
      [`$0 cron next '0 3 * * *'`, 'The next 10 runs of 03:00 daily in the default zone'],
      [
        `$0 cron next '30 2 * * *' --tz Europe/Stockholm --from 2027-03-26T00:00:00Z --count 3 --dst-gap shift`,
        'The 02:30 of the spring-forward day runs at 03:00 instead',
      ],
      [
        `$0 cron next '*/30 * * * *' --tz Europe/Stockholm --from 2027-10-31T00:00:00Z --count 6 --dst-overlap both`,
        'Both passes of the repeated hour (02:00 and 02:30 twice)',
      ],
      [
        `$0 cron next '30 2 * * *' --tz Europe/Stockholm --from 2027-03-26T00:00:00Z --count 3`,
        'Shows the 02:30 slot skipped by the spring-forward gap',
      ],
      [`$0 cron next '*/15 * * * *' --count 4 --json`, 'Machine-readable output'],
    ],
    heading: (expr: string, description: string, zone: string, from: string) =>
      `"${expr}" (${description}) in ${zone}, from ${from}`,
    localHeader: (zone: string) => `Local time (${zone})`,
    utcHeader: 'UTC',
    skipped: (message: string) => `skipped: ${message}`,
    noRuns: 'This expression has no runs in the period searched.',
  },

  explain: {
    describe: 'Describe an expression in English and list the values of each field',
    expr: 'The 5-field cron expression, quoted as one argument',
    json: 'Print JSON for scripts instead of a table',
    examples: [
      [`$0 cron explain '0 9 * * 0-4'`, '09:00 Monday to Friday (ISO weekdays)'],
      [`$0 cron explain '*/10 8-18 * * *' --json`, 'Machine-readable output'],
    ],
    fieldHeader: 'Field',
    textHeader: 'Meaning',
    valuesHeader: 'Values',
  },

  convert: {
    describe: 'Translate weekdays between crontab numbering (0 = Sunday) and this ISO dialect (0 = Monday)',
    fromPosix: 'A crontab (POSIX) expression to translate into the ISO dialect',
    toPosix: 'An ISO-dialect expression to translate into crontab (POSIX) numbering',
    json: 'Print JSON for scripts instead of the bare expression',
    examples: [
      [`$0 cron convert --from-posix '0 9 * * 1-5'`, 'Prints 0 9 * * 0-4 (Monday to Friday)'],
      [`$0 cron convert --to-posix '0 0 * * 6'`, 'Prints 0 0 * * 0 (midnight every Sunday)'],
    ],
    needOne: 'give exactly one of --from-posix <expr> or --to-posix <expr>',
  },

  oneArgument: (command: string, parts: readonly string[]) =>
    `the cron expression must be one argument; quote it: craft-jobs cron ${command} '0 3 * * *' (got ${parts.length} arguments: ${parts.join(' ')})`,
  badCount: (value: string) => `--count: invalid value "${value}": expected a whole number from 1 to 1000`,
  badFrom: (value: string) =>
    `--from: invalid value "${value}": expected an ISO 8601 instant with a UTC offset, e.g. 2027-03-28T00:00:00Z or 2027-03-28T01:00:00+01:00`,
} as const;
