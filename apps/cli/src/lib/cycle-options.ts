import type { Argv } from 'yargs';
import { lastValue } from './command.js';
import type { CycleArgs } from './cycle.js';
import { databaseOptions, jobsOptions, jsonOption } from './options.js';

/** The options of `check` and `catch-up`. */
export function cycleOptions<T>(yargs: Argv<T>, json: string): Argv<CycleArgs> {
  return jsonOption(
    databaseOptions(
      jobsOptions(
        yargs
          .option('poll-interval-seconds', {
            type: 'string',
            requiresArg: true,
            coerce: lastValue,
            describe:
              'How often this command is invoked: a slot that passed less than this long ago is current and runs under every missed-run policy (default: POLL_INTERVAL_SECONDS, else 60)',
          })
          .option('quiet', {
            alias: 'q',
            type: 'boolean',
            default: false,
            describe: 'Print no progress on stderr (warnings, errors and the result still show)',
          })
          .group(['poll-interval-seconds', 'quiet', 'json'], 'Options:'),
      ),
    ),
    json,
  ) as unknown as Argv<CycleArgs>;
}
