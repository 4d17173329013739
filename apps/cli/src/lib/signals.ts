import { ExitStatus, type ExitStatusCode } from './errors.js';
import type { CliIo } from './output.js';

/** The exit status after a signal stopped the work: 130 for SIGINT, 143 for SIGTERM. */
export function signalExitStatus(signal: NodeJS.Signals): ExitStatusCode {
  return signal === 'SIGINT' ? ExitStatus.Interrupted : ExitStatus.Terminated;
}

/** What {@link watchStopSignals} reports. */
export interface StopSignals {
  /** The first signal received, if any. */
  readonly received: NodeJS.Signals | undefined;
  /** Stops listening (the default behaviour of the signals returns). */
  dispose(): void;
}

/**
 * While a command waits on jobs: the first SIGINT or SIGTERM calls `onStop` (which aborts the jobs through their
 * signals and lets the scheduler record the runs); a second one ends the process at once, without waiting for a
 * handler that ignores its signal.
 */
export function watchStopSignals(
  io: CliIo,
  onStop: (signal: NodeJS.Signals) => void,
  onSecond: (signal: NodeJS.Signals) => void,
): StopSignals {
  let received: NodeJS.Signals | undefined;
  const listener = (signal: NodeJS.Signals) => {
    if (received === undefined) {
      received = signal;
      onStop(signal);
      return;
    }
    onSecond(signal);
    io.exit?.(signalExitStatus(received));
  };
  io.signals?.on('SIGINT', listener);
  io.signals?.on('SIGTERM', listener);
  return {
    get received() {
      return received;
    },
    dispose() {
      io.signals?.off('SIGINT', listener);
      io.signals?.off('SIGTERM', listener);
    },
  };
}
