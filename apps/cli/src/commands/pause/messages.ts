/** User-facing strings of `craft-jobs pause`, `resume` and `status`. */
export const messages = {
  pause: {
    describe:
      'Pause triggering on every replica (incidents): no slot is triggered until resume; runs in flight finish',
    reason: 'Why (shown by status, the API and the dashboard banner)',
    examples: [[`$0 pause --reason 'payment provider outage, INC-42'`, 'Stop all triggering, saying why']],
    done: 'Triggering is paused on every replica (each notices at its next pass).',
  },
  resume: {
    describe:
      'Resume triggering; slots that fell due while paused are recorded skipped (reason paused), unless --catch-up',
    catchUp:
      "Run the slots that fell due while paused under each schedule's missed-run policy instead of skipping them",
    examples: [
      ['$0 resume', 'Resume; the paused slots are recorded skipped'],
      ['$0 resume --catch-up', 'Resume and catch up (missed-run policy of each schedule)'],
    ],
    done: (catchUp: boolean) =>
      catchUp
        ? 'Triggering resumed; slots that fell due while paused follow each schedule’s missed-run policy.'
        : 'Triggering resumed; slots that fell due while paused are recorded skipped (reason paused).',
    notPaused: 'Triggering was not paused; nothing changed.',
  },
  status: {
    describe: 'Show whether triggering is paused, and the schedules that are paused (disabled) and why',
    examples: [
      ['$0 status', 'The global pause and the paused schedules'],
      ['$0 status --json', 'The same, for scripts'],
    ],
    noPausedSchedules: 'No schedule is paused.',
    pausedSchedules: 'Paused schedules',
  },
  json: 'Print JSON (the REST API’s shape) instead of text',
} as const;
