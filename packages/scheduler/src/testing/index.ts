/**
 * `@craft/scheduler/testing`: the conformance suite every storage adapter runs, plus test helpers.
 *
 * ```ts
 * import { describe, expect, it } from 'vitest';
 * import { schedulerConformanceSuite } from '@craft/scheduler/testing';
 * schedulerConformanceSuite({ describe, it, expect }, {
 *   createStore: ({ clock }) => new MyStore({ clock }),
 *   createLock: ({ clock }) => new MyLock({ clock }),
 * });
 * ```
 *
 * @module
 */

import { catchUpFaultSuite } from './catch-up-fault-suite.js';
import { controlBackfillSuite } from './control-backfill-suite.js';
import { controlCancelSuite } from './control-cancel-suite.js';
import { controlOverlapSuite } from './control-overlap-suite.js';
import { controlSuite } from './control-suite.js';
import { type EngineSuiteOptions, engineSuite } from './engine-suite.js';
import { faultFencingSuite } from './fault-fencing-suite.js';
import { faultSuite } from './fault-suite.js';
import { lockBatchFaultSuite } from './lock-batch-fault-suite.js';
import { type LockSuiteOptions, lockSuite } from './lock-suite.js';
import { type StoreSuiteOptions, storeSuite } from './store-suite.js';
import type { SuiteTestApi, TimeOptions } from './types.js';
import { writeBatchFaultSuite } from './write-batch-fault-suite.js';

export { catchUpFaultSuite } from './catch-up-fault-suite.js';
export { killable } from './chaos.js';
export { controlBackfillSuite } from './control-backfill-suite.js';
export { controlCancelSuite } from './control-cancel-suite.js';
export { controlOverlapSuite } from './control-overlap-suite.js';
export { controlSuite } from './control-suite.js';
export type { EngineSuiteOptions } from './engine-suite.js';
export { engineSuite } from './engine-suite.js';
export type { EventLogSuiteOptions } from './event-suite.js';
export { eventLogSuite, sampleEvent } from './event-suite.js';
export { faultFencingSuite } from './fault-fencing-suite.js';
export { faultSuite } from './fault-suite.js';
export type {
  FaultAction,
  FaultCall,
  FaultHandle,
  FaultInjector,
  FaultInjectorOptions,
  FaultRule,
} from './faults.js';
export { faultyLock, faultyStore, InjectedFaultError, injectFaults } from './faults.js';
export { idempotencySuite } from './idempotency-suite.js';
export { lockBatchFaultSuite } from './lock-batch-fault-suite.js';
export type { LockSuiteOptions } from './lock-suite.js';
export { lockSuite } from './lock-suite.js';
export type { CallCounter, RoundTripResult, RoundTripWorkload } from './round-trips.js';
export { countCalls, runRoundTripWorkload } from './round-trips.js';
export { scheduleVersionSuite } from './schedule-version-suite.js';
export { storeControlSuite } from './store-control-suite.js';
export { storeFencingSuite } from './store-fencing-suite.js';
export { storeRunControlSuite } from './store-run-control-suite.js';
export type { StoreSuiteOptions } from './store-suite.js';
export { sampleRun, sampleSchedule, storeSuite } from './store-suite.js';
export type { Expectation, SuiteTestApi, SuiteTime, TimeOptions } from './types.js';
export { writeBatchFaultSuite } from './write-batch-fault-suite.js';

/** Options of {@link schedulerConformanceSuite}: the union of the three suites' options. */
export interface ConformanceSuiteOptions
  extends Pick<StoreSuiteOptions, 'createStore' | 'destroyStore' | 'idempotency'>,
    Pick<LockSuiteOptions, 'createLock' | 'destroyLock' | 'collectGarbage'>,
    Pick<EngineSuiteOptions, 'settle' | 'settleTimeoutMs'>,
    TimeOptions {
  /**
   * Run the engine suite (requires `time: 'fake'`: the adapter judges time by the injected `FakeClock`).
   * @default true when `time` is 'fake'
   */
  engine?: boolean;
}

/** Registers the storage, lock and (with fake time) engine and fault suites. */
export function schedulerConformanceSuite(api: SuiteTestApi, options: ConformanceSuiteOptions): void {
  storeSuite(api, options);
  lockSuite(api, options);
  if (options.engine ?? options.time !== 'real') {
    const engine: EngineSuiteOptions = {
      createStore: options.createStore,
      createLock: options.createLock,
      ...(options.settle !== undefined ? { settle: options.settle } : {}),
      ...(options.settleTimeoutMs !== undefined ? { settleTimeoutMs: options.settleTimeoutMs } : {}),
      destroy: async (store, lock) => {
        await options.destroyStore?.(store);
        await options.destroyLock?.(lock);
      },
    };
    engineSuite(api, engine);
    // Per-schedule control (spec section 10): DST choices, jitter, self-pause, the global pause.
    controlSuite(api, engine);
    // Faults (spec section 11): each guarantee against the fault that would break it.
    faultSuite(api, engine);
    faultFencingSuite(api, engine);
    catchUpFaultSuite(api, engine);
    lockBatchFaultSuite(api, engine);
    writeBatchFaultSuite(api, engine);
    // Per-schedule control (spec section 10): overlap policies, the run cap, cancel, backfill.
    controlOverlapSuite(api, engine);
    controlCancelSuite(api, engine);
    controlBackfillSuite(api, engine);
  }
}
