#!/usr/bin/env node
// The event log writer while its store fails (issue "Scale", resilience): every event still pushed (a run starting, a
// schedule created) lands on a full buffer and drops the oldest one. What one push then costs, next to a push while
// the store works; the writer is in-process, the store a stand-in that fails every append.
//
//   pnpm bench event-writer            full run (200,000 pushes per case, 5 rounds)
//   pnpm bench event-writer --quick    smoke run (BENCH_QUICK=1 too)
import { EventLogWriter, MemoryStore } from '@craft/scheduler';
import { median } from './lib/harness.mjs';
import { formatTable } from './lib/table.mjs';

const QUICK = process.argv.includes('--quick') || process.env.BENCH_QUICK === '1';
const PUSHES = QUICK ? 20_000 : 200_000;
const ROUNDS = QUICK ? 1 : 5;
const MAX_BUFFERED = 10_000;
const data = { job_name: 'bench', version: 1 };

async function pushCost(failing) {
  const healthy = new MemoryStore();
  const store = failing
    ? {
        appendEvents: async () => {
          throw new Error('store down');
        },
        readEvents: (q) => healthy.readEvents(q),
        deleteEvents: (f) => healthy.deleteEvents(f),
        oldestEventCursor: () => healthy.oldestEventCursor(),
      }
    : healthy;
  const writer = new EventLogWriter({ store, maxBuffered: MAX_BUFFERED, flushIntervalMs: 100 });
  // A failing store's writer starts full (what an outage longer than a few seconds leaves).
  if (failing) {
    for (let i = 0; i < MAX_BUFFERED; i++) writer.push('bench:event', 'bench', null, data);
    await writer.flush();
  }
  // Pushes in bursts of 100 with the event loop let through between them, as a busy service pushes: a working
  // store's flushes run in between (their cost is not counted, only the pushes').
  let ns = 0;
  for (let done = 0; done < PUSHES; done += 100) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < 100; i++) writer.push('bench:event', 'bench', null, data);
    ns += Number(process.hrtime.bigint() - t0);
    await new Promise((r) => setImmediate(r));
  }
  ns /= PUSHES;
  const { dropped, pending } = writer.stats;
  await writer.close().catch(() => {});
  if (failing && (pending !== MAX_BUFFERED || dropped < PUSHES)) {
    throw new Error(`expected a full buffer dropping every push: pending ${pending}, dropped ${dropped}`);
  }
  return ns;
}

const rows = [];
for (const [label, failing] of [
  ['store works', false],
  [`store fails, buffer full (${MAX_BUFFERED.toLocaleString('en-US')} events)`, true],
]) {
  const xs = [];
  for (let r = 0; r < ROUNDS; r++) xs.push(await pushCost(failing));
  rows.push([label, `${median(xs).toFixed(0)} ns`, xs.map((x) => x.toFixed(0)).join(' / ')]);
}
console.log(
  `\nEventLogWriter.push, ${PUSHES.toLocaleString('en-US')} pushes per round, median of ${ROUNDS}:\n`,
);
console.log(
  formatTable(['case', 'per push', 'rounds'], rows, { markdown: process.argv.includes('--markdown') }),
);
