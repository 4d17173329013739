// @ts-check
// Preloaded into every API process of a chaos run (`node --import <this file> apps/api/dist/bin.js`); TEST-ONLY.
// It appends to the process's execution log (CHAOS_EXEC_LOG), synchronously:
//   lost   each `run:lease_lost` event the scheduler emits (`reason`, `during`), seen by wrapping
//          EventEmitter.prototype.emit: the scheduler's events go through a plain EventEmitter, and the API offers no
//          other way to subscribe from outside the process
//   stall  each interval in which this process ran nothing for longer than STALL_MS (a SIGSTOP, a long GC, a long
//          synchronous stretch, the OS not scheduling it on an overloaded machine): a 50 ms watchdog timer that fired
//          more than 100 ms late
// The audit uses them to tell a handler that lost its lease from one that ran twice, and to explain handler activity
// after a lease deadline by a frozen process.
import { EventEmitter } from 'node:events';
import { appendFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

const LOG = process.env.CHAOS_EXEC_LOG;
const TICK_MS = 50;
const STALL_MS = 100;

if (LOG) {
  const write = (/** @type {Record<string, unknown>} */ entry) => {
    try {
      appendFileSync(LOG, `${JSON.stringify({ ...entry, pid: process.pid })}\n`);
    } catch {
      // The log is evidence only; never break the process for it.
    }
  };
  const emit = EventEmitter.prototype.emit;
  EventEmitter.prototype.emit = function (/** @type {string | symbol} */ name, /** @type {any[]} */ ...args) {
    if (name === 'run:lease_lost') {
      const p = args[0] ?? {};
      write({
        e: 'lost',
        run: p.run?.id,
        att: Array.isArray(p.run?.attempts) ? p.run.attempts.length : null,
        reason: p.reason,
        during: p.during,
        t: Date.now(),
      });
    }
    return emit.call(this, name, ...args);
  };
  let last = performance.now();
  setInterval(() => {
    const now = performance.now();
    const gap = now - last;
    last = now;
    if (gap > TICK_MS + STALL_MS) {
      const to = Date.now();
      write({ e: 'stall', from: Math.round(to - gap + TICK_MS), to });
    }
  }, TICK_MS).unref();
}
