/**
 * A progress indication on stderr while the CLI waits on jobs. On a terminal: a spinner with the elapsed time,
 * redrawn in place, and permanent lines printed above it. Elsewhere (cron mail, CI logs, pipes): only plain lines,
 * plus a "still waiting" line every `heartbeatMs`, so logs stay readable and show the process is alive.
 */
import type { CliIo } from './output.js';
import { createStyler, type Styler, shouldUseColor } from './output.js';

/** What a waiting command reports through. */
export interface Progress {
  /** Sets what is being waited on (`running cleanup, attempt 1 of 3`) and (re)starts the elapsed time. */
  status(text: string): void;
  /** Prints a permanent line on stderr (above the spinner on a terminal). */
  line(text: string): void;
  /** Removes the indicator and stops its timers. Safe to call twice. */
  stop(): void;
  /** Styles text for stderr. */
  readonly style: Styler;
}

/** Options of {@link createProgress}. */
export interface ProgressOptions {
  /** Interval of the "still waiting" line when stderr is not a terminal, in ms. @default 30000 */
  heartbeatMs?: number;
  /** Redraw interval of the spinner on a terminal, in ms. @default 100 */
  frameMs?: number;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** `42 ms` → `42ms`, `1500 ms` → `1.5s`, `75 s` → `1m 15s`, `3725 s` → `1h 02m`. */
export function formatElapsed(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds < 10 ? seconds.toFixed(1) : Math.floor(seconds)}s`;
  const whole = Math.floor(seconds);
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = whole % 60;
  return h > 0 ? `${h}h ${String(m).padStart(2, '0')}m` : `${m}m ${String(s).padStart(2, '0')}s`;
}

/** Creates the {@link Progress} of one invocation. */
export function createProgress(io: CliIo, options: ProgressOptions = {}): Progress {
  const style = createStyler(shouldUseColor(io.stderr, io.env));
  const tty = io.stderr.isTTY === true && io.env['TERM'] !== 'dumb';
  const now = () => io.now().getTime();
  let text: string | undefined;
  let since = now();
  let frame = 0;
  let drawn = false;
  let timer: NodeJS.Timeout | undefined;

  const clear = () => {
    if (drawn) io.stderr.write('\r\u001b[2K');
    drawn = false;
  };
  const draw = () => {
    if (text === undefined) return;
    const spinner = style('cyan', FRAMES[frame++ % FRAMES.length] ?? '-');
    const seconds = Math.floor((now() - since) / 1000);
    const elapsed = seconds < 60 ? `${seconds}s` : formatElapsed(seconds * 1000);
    io.stderr.write(`\r\u001b[2K${spinner} ${text} ${style('dim', elapsed)}`);
    drawn = true;
  };
  const tick = () => {
    if (tty) draw();
    else if (text !== undefined) io.stderr.write(`still ${text} (${formatElapsed(now() - since)})\n`);
  };
  const arm = () => {
    if (timer) return;
    timer = setInterval(tick, tty ? (options.frameMs ?? 100) : (options.heartbeatMs ?? 30_000));
    timer.unref();
  };

  return {
    style,
    status(next) {
      text = next;
      since = now();
      arm();
      if (tty) draw();
    },
    line(message) {
      clear();
      io.stderr.write(`${message}\n`);
      if (tty) draw();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      text = undefined;
      clear();
    },
  };
}
