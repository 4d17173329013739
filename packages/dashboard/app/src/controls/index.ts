// The controls of per-schedule control (spec section 10), registered at the extension points of lib/extensions.ts:
// they render only for tokens with `jobs:run`. Registered by a call (the package declares no side effects, so a bare
// import would be dropped by the bundler).
import { registerRunAction, registerScheduleAction } from '../lib/extensions.js';
import { BackfillAction } from './backfill.js';
import { CancelRunAction } from './cancel-run.js';

/** Registers the cancel and backfill controls (call once, before the first render). */
export function registerControls(): void {
  registerRunAction({ id: 'cancel', scope: 'jobs:run', component: CancelRunAction });
  registerScheduleAction({ id: 'backfill', scope: 'jobs:run', component: BackfillAction });
}
