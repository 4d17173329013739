/** User-facing strings of `craft-jobs catch-up`. */
export const messages = {
  describe:
    "Run the startup pass: apply each schedule's missed-run policy, mark runs of dead replicas abandoned (retrying them if attempts remain), wait and print what it did",
  json: 'Print { at, runs, abandoned, deferred, initialized } as JSON (runs are snake_case records)',
  examples: [
    ['$0 catch-up', 'After downtime, before the regular checks resume'],
    ['$0 catch-up --json', 'For scripts'],
  ],
} as const;
