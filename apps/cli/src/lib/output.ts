/**
 * Output for people (tables, colour on a TTY) and for scripts (`--json`). Results go to stdout; diagnostics,
 * warnings and `--verbose` details go to stderr, so `$(craft-jobs token)` captures only the token.
 */

/** The part of a stream the CLI writes to. */
export interface WritableText {
  write(chunk: string): unknown;
  /** Set on terminals. */
  isTTY?: boolean | undefined;
}

/** The process the CLI runs in; injected so it can also run in-process. */
export interface CliIo {
  /** Where results go. */
  stdout: WritableText;
  /** Where errors, warnings and `--verbose` details go. */
  stderr: WritableText;
  /** The environment (normally `process.env`). */
  env: Readonly<Record<string, string | undefined>>;
  /** The working directory (normally `process.cwd`). */
  cwd: () => string;
  /** The current time (normally `() => new Date()`). */
  now: () => Date;
  /**
   * Where SIGINT and SIGTERM arrive (normally `process`). Commands that run jobs listen while they wait, to abort
   * the job through its signal and still record the run. @default undefined (signals are not handled)
   */
  signals?: SignalSource | undefined;
  /** Ends the process at once (normally `process.exit`); used on a second Ctrl-C. @default undefined */
  exit?: ((code: number) => void) | undefined;
}

/** The part of `process` that delivers termination signals. */
export interface SignalSource {
  /** Adds a listener. */
  on(signal: 'SIGINT' | 'SIGTERM', listener: (signal: NodeJS.Signals) => void): unknown;
  /** Removes a listener. */
  off(signal: 'SIGINT' | 'SIGTERM', listener: (signal: NodeJS.Signals) => void): unknown;
}

/**
 * Whether to colour a stream: never when `NO_COLOR` is set to anything but the empty string; otherwise always when
 * `FORCE_COLOR` is set (and not `0`); otherwise only on a TTY whose `TERM` is not `dumb`.
 */
export function shouldUseColor(
  stream: WritableText,
  env: Readonly<Record<string, string | undefined>>,
): boolean {
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  const force = env['FORCE_COLOR'];
  if (force !== undefined && force !== '' && force !== '0' && force !== 'false') return true;
  return stream.isTTY === true && env['TERM'] !== 'dumb';
}

const CODES = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  cyan: [36, 39],
} as const;

/** A style name understood by {@link Styler}. */
export type Style = keyof typeof CODES;

/** Applies ANSI styles, or returns the text unchanged when colour is off. */
export type Styler = (style: Style, text: string) => string;

/** Creates a {@link Styler}. */
export function createStyler(enabled: boolean): Styler {
  return (style, text) => {
    if (!enabled || text === '') return text;
    const [open, close] = CODES[style];
    return `\u001b[${open}m${text}\u001b[${close}m`;
  };
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching ANSI escapes is the point
const ANSI = /\u001b\[[0-9;]*m/g;

/** The width of text as a terminal shows it (ANSI escapes take no room). */
export function visibleWidth(text: string): number {
  return [...text.replace(ANSI, '')].length;
}

/** A column of {@link formatTable}. */
export interface Column {
  /** The header text. */
  header: string;
  /** Right-align the cells (numbers). @default false */
  alignRight?: boolean;
}

/**
 * Lays rows out as aligned columns separated by two spaces, with a header row. Trailing spaces are trimmed so
 * output stays diff-friendly.
 */
export function formatTable(
  columns: readonly Column[],
  rows: readonly (readonly string[])[],
  style: Styler,
): string {
  const widths = columns.map((column, i) =>
    Math.max(visibleWidth(column.header), ...rows.map((row) => visibleWidth(row[i] ?? ''))),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => {
        const pad = ' '.repeat(Math.max(0, (widths[i] ?? 0) - visibleWidth(cell)));
        return columns[i]?.alignRight ? pad + cell : cell + pad;
      })
      .join('  ')
      .trimEnd();
  const header = line(columns.map((c) => c.header));
  return [style('bold', header), ...rows.map(line)].join('\n');
}

/** What commands write through. */
export interface Output {
  /** Whether stdout is coloured. */
  readonly color: boolean;
  /** Styles text for stdout. */
  readonly style: Styler;
  /** Styles text for stderr. */
  readonly styleErr: Styler;
  /** Writes one line (or several) to stdout. */
  print(text: string): void;
  /** Writes a value as pretty JSON to stdout. */
  json(value: unknown): void;
  /** Writes a warning line to stderr. */
  warn(text: string): void;
  /** Writes a line to stderr only with `--verbose`. */
  debug(text: string): void;
}

/** Creates the {@link Output} for one invocation. */
export function createOutput(io: CliIo, verbose: boolean): Output {
  const color = shouldUseColor(io.stdout, io.env);
  const style = createStyler(color);
  const styleErr = createStyler(shouldUseColor(io.stderr, io.env));
  return {
    color,
    style,
    styleErr,
    print: (text) => io.stdout.write(`${text}\n`),
    json: (value) => io.stdout.write(`${JSON.stringify(value, null, 2)}\n`),
    warn: (text) => io.stderr.write(`${styleErr('yellow', 'warning:')} ${text}\n`),
    debug: (text) => {
      if (verbose) io.stderr.write(`${styleErr('dim', `debug: ${text}`)}\n`);
    },
  };
}
