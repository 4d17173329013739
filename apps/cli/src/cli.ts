import { readFileSync } from 'node:fs';
import yargs, { type Argv } from 'yargs';
import { catchUpCommand } from './commands/catch-up/index.js';
import { checkCommand } from './commands/check/index.js';
import { cronCommand } from './commands/cron/index.js';
import { pauseCommand, resumeCommand, statusCommand } from './commands/pause/index.js';
import { runCommand } from './commands/run/index.js';
import { runsCommand } from './commands/runs/index.js';
import { schedulesCommand } from './commands/schedules/index.js';
import { tokenCommand } from './commands/token/index.js';
import type { CommandContext, CommandSpec, GlobalArgs } from './lib/command.js';
import { EXIT_STATUS_MEANINGS, UsageError } from './lib/errors.js';
import type { CliIo } from './lib/output.js';
import { PROGRAM, reportError } from './lib/report.js';

/** Every top-level command, in the order `--help` lists them. */
const COMMANDS: readonly CommandSpec[] = [
  runCommand,
  checkCommand,
  catchUpCommand,
  schedulesCommand,
  runsCommand,
  pauseCommand,
  resumeCommand,
  statusCommand,
  cronCommand,
  tokenCommand,
];

function readVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/** The end of `--help`: where settings come from, and every exit status (the README's table lists the same). */
const EPILOGUE =
  'Configuration: flags, then environment variables (the ones the API reads, resolved the same way), then the ' +
  `config file. Exit statuses: ${Object.entries(EXIT_STATUS_MEANINGS)
    .map(([status, meaning]) => `${status} ${meaning}`)
    .join(', ')}.`;

/** `--verbose` must also work for errors yargs raises before any handler sees the parsed flags. */
function wantsVerbose(args: readonly string[]): boolean {
  for (const arg of args) {
    if (arg === '--') return false;
    if (arg === '--verbose' || arg === '--verbose=true') return true;
  }
  return false;
}

/** The known command words at the start of `args` (`['cron', 'next']`) and the first unknown positional. */
function commandPath(args: readonly string[]): { path: string[]; unknown: string | undefined } {
  const positionals = args.filter((arg) => !arg.startsWith('-'));
  const path: string[] = [];
  const top = COMMANDS.find((c) => c.name === positionals[0]);
  if (!top) return { path, unknown: positionals[0] };
  path.push(top.name);
  const sub = positionals[1];
  if (sub !== undefined && top.subcommands.includes(sub)) {
    path.push(sub);
    return { path, unknown: undefined };
  }
  return { path, unknown: top.subcommands.length > 0 ? sub : undefined };
}

/** Turns a yargs validation message into one actionable line. */
function usageMessage(message: string, args: readonly string[]): string {
  const { path, unknown } = commandPath(args);
  const help = `run "${[PROGRAM, ...path, '--help'].join(' ')}" for usage`;
  const where = path.length > 0 ? `${path.join(' ')} command` : 'command';
  const suggestion = /^Did you mean (.+)\?$/.exec(message);
  if (suggestion) {
    return `unknown ${where} "${unknown ?? ''}"; did you mean "${suggestion[1]}"? (${help})`;
  }
  const unknownArgs = /^Unknown arguments?: (.+)$/.exec(message);
  if (unknownArgs && unknown !== undefined && unknownArgs[1]?.split(', ').includes(unknown)) {
    const names =
      path.length > 0 ? COMMANDS.find((c) => c.name === path[0])?.subcommands : COMMANDS.map((c) => c.name);
    return `unknown ${where} "${unknown}"; the commands are ${(names ?? []).join(', ')} (${help})`;
  }
  return `${message.replace(/\.$/, '')} (${help})`;
}

/**
 * Runs `craft-jobs` with the given arguments (without `node` and the script) and returns the exit status. Never
 * throws and never exits the process: the caller decides what to do with the status.
 */
export async function runCli(args: readonly string[], io: CliIo): Promise<number> {
  const verbose = wantsVerbose(args);
  let status = 0;
  const context: CommandContext = {
    io,
    setExitStatus: (code) => {
      status = code;
    },
  };
  try {
    let parser: Argv<GlobalArgs> = yargs([...args])
      .scriptName(PROGRAM)
      .usage(
        `${PROGRAM} <command> [options]\n\nRun jobs and scheduler cycles for external triggers (cron, Cloud Scheduler, CI), manage schedules and run history, preview cron expressions, mint API tokens.`,
      )
      .option('verbose', {
        type: 'boolean',
        global: true,
        default: false,
        describe: 'Print details on stderr, and the stack trace of any error',
      })
      .option('config', {
        type: 'string',
        global: true,
        requiresArg: true,
        describe: 'JSON config file (default: ./craft.config.json if present)',
      });
    for (const spec of COMMANDS) {
      parser = parser.command(spec.create(context));
    }
    parser = parser
      .demandCommand(1, 'no command given')
      .recommendCommands()
      .strict()
      .exitProcess(false)
      .fail((message, error) => {
        if (error) throw error;
        throw new UsageError(usageMessage(message ?? 'invalid command line', args));
      })
      .epilogue(EPILOGUE)
      .help()
      .alias('help', 'h')
      .version(readVersion())
      .group(['verbose', 'config', 'help', 'version'], 'Global options:')
      .wrap(Math.min(110, process.stdout.columns ?? 100));
    await parser.parseAsync();
    return status;
  } catch (error) {
    return await reportError(error, io, verbose);
  }
}
