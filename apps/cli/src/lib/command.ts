import type { CommandModule } from 'yargs';
import { type ConfigKey, type ConfigResolver, createConfigResolver } from './config.js';
import type { ExitStatusCode } from './errors.js';
import { type CliIo, createOutput, type Output } from './output.js';

/** Options every command accepts. */
export interface GlobalArgs {
  /** Print details and stack traces on stderr. @default false */
  verbose: boolean;
  /** Path of the JSON config file. @default undefined (`./craft.config.json` if present) */
  config: string | undefined;
}

/** What a command's handler gets besides its parsed arguments. */
export interface CommandContext {
  /** The process's streams, environment, working directory and clock. */
  io: CliIo;
  /** Sets the status the process exits with when the handler returns normally (errors set their own). */
  setExitStatus(code: ExitStatusCode): void;
}

/** A top-level command: its name, its subcommands (for messages) and a factory for its yargs module. */
export interface CommandSpec {
  /** The word that selects the command (`cron`). */
  name: string;
  /** The words of its subcommands (`next`, `explain`), empty when it has none. */
  subcommands: readonly string[];
  /** Builds the yargs command module. */
  create(context: CommandContext): CommandModule<GlobalArgs, never>;
}

/** The {@link Output} for one invocation, honouring `--verbose`, `NO_COLOR` and the TTY. */
export function outputFor(context: CommandContext, argv: GlobalArgs): Output {
  return createOutput(context.io, argv.verbose);
}

/**
 * The {@link ConfigResolver} for one invocation: `flags` first, then the environment, then the config file, each
 * value parsed and checked by `@craft/runtime` exactly as the API does (loaded here, on use, so that `--help` and
 * commands without settings start faster).
 */
export function configFor(
  context: CommandContext,
  argv: GlobalArgs,
  flags: { [K in ConfigKey]?: string | number | undefined },
): Promise<ConfigResolver> {
  return createConfigResolver({
    flags,
    env: context.io.env,
    cwd: context.io.cwd(),
    configPath: argv.config,
  });
}

/** For scalar options: a repeated option (`--tz a --tz b`) takes its last value, as most CLIs do. */
export function lastValue(value: unknown): string | undefined {
  const last = Array.isArray(value) ? value.at(-1) : value;
  return last === undefined ? undefined : String(last);
}

/**
 * Erases a command module's argument type so modules with different arguments fit one list. yargs' typings are
 * invariant in that type; each module is still type-checked against its own arguments where it is defined.
 */
export function defineCommand<A>(module: CommandModule<GlobalArgs, A>): CommandModule<GlobalArgs, never> {
  return module as unknown as CommandModule<GlobalArgs, never>;
}
