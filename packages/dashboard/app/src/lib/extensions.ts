// Extension points for the controls that arrive with per-schedule control (spec section 10): backfill a range,
// cancel a run, the global pause. A module registers its controls at start; the pages render them next to the
// built-in ones, only for tokens with the scope they need. Nothing here changes for the built-in actions.
import type { ComponentType } from 'preact';
import type { Scope } from './auth.js';
import type { Run, Schedule } from './types.js';

/** What an action's component gets: the object it acts on and a way to show fresh data afterwards. */
export interface ActionProps<T> {
  target: T;
  /** Re-reads the page's data (e.g. after a backfill started runs). */
  refresh: () => void;
}

/** A control on a schedule's page (e.g. "Backfill…", which opens its own dialog). */
export interface ScheduleAction {
  id: string;
  /** The scope a token needs to see it (read-only tokens see none). */
  scope: Scope;
  component: ComponentType<ActionProps<Schedule>>;
}

/** A control on a run (e.g. "Cancel" while it is pending or running). */
export interface RunAction {
  id: string;
  scope: Scope;
  component: ComponentType<ActionProps<Run>>;
}

/** A control in the page header (e.g. the global pause switch and its banner). */
export interface GlobalControl {
  id: string;
  /** The scope needed to use it; it may still show state to read-only tokens. */
  scope: Scope;
  component: ComponentType<{ canUse: boolean }>;
  /** Optional: a banner under the header (e.g. "triggering is paused"), shown to every signed-in token. */
  banner?: ComponentType;
}

export const scheduleActions: ScheduleAction[] = [];
export const runActions: RunAction[] = [];
export const globalControls: GlobalControl[] = [];

/** Adds a control (call before the first render). */
export function registerScheduleAction(action: ScheduleAction): void {
  scheduleActions.push(action);
}
export function registerRunAction(action: RunAction): void {
  runActions.push(action);
}
export function registerGlobalControl(control: GlobalControl): void {
  globalControls.push(control);
}
