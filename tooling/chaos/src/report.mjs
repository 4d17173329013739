// @ts-check
// The figures table of a chaos run (plain text or Markdown).

const s = (/** @type {number} */ ms) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(1)} s` : 'n/a');
const realMs = (/** @type {number} */ ms, /** @type {number} */ speed) =>
  Number.isFinite(ms) ? `${(ms / speed).toFixed(0)} ms` : 'n/a';

/**
 * Rows of (figure, value) for a chaos result.
 * @param {{ figures: Record<string, any>, violations: unknown[], seed: number }} result
 */
export function figureRows(result) {
  const f = result.figures;
  const lag = f.lagOnTime;
  const all = f.lagAll;
  const skipped = Object.entries(f.skippedByReason)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const list = (/** @type {Record<string, number>} */ o) =>
    Object.entries(o ?? {})
      .map(([k, v]) => `${k} ${v}`)
      .join(', ') || 'none';
  const after = f.activityAfterDeadline ?? {
    total: 0,
    frozen: 0,
    stalled: 0,
    withinTolerance: 0,
    maxOverrunMs: 0,
  };
  const faults = f.faults ?? { total: 0, byKind: {}, pastLease: 0, endedByReset: 0 };
  const statuses = Object.entries(f.byStatus)
    .filter(([k]) => k !== 'skipped')
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return [
    ['processes (slots) / incarnations', `${f.processes} / ${f.incarnations}`],
    [
      'chaos time: real / schedule',
      `${s(f.chaosRealMs)} / ${(f.scheduleTimeMs / 3_600_000).toFixed(2)} h (${f.speed}×)`,
    ],
    [
      'SIGKILLs (at a slot boundary / random; during startup; double)',
      `${f.kills} (${f.killsAtBoundary} / ${f.killsRandom}; ${f.killsDuringStartup}; ${f.doubleKills})`,
    ],
    ['restarts', String(f.restarts)],
    [
      'database faults and stalls (past the lease; cut-offs and hangs ended by a reset)',
      `${faults.total}: ${list(faults.byKind)} (${faults.pastLease}; ${faults.endedByReset})`,
    ],
    [
      'through the fault proxies: connections / reset by a fault / MB',
      f.proxy ? `${f.proxy.connections} / ${f.proxy.resets} / ${(f.proxy.bytes / 1e6).toFixed(1)}` : 'n/a',
    ],
    [
      'frozen incarnations (SIGSTOP) / stalls over 100 ms the processes saw (incl. SIGSTOP) / boot exits while cut off',
      `${f.frozenIncarnations ?? 0} / ${f.stalls ?? 0} / ${f.startExitsWhileCutOff ?? 0}`,
    ],
    [
      'API startup, spawn to ready (incl. the startup pass): p50 / max',
      `${s(f.startupMs.p50)} / ${s(f.startupMs.max)} (${f.startupMs.count} ready)`,
    ],
    ['skewed incarnations (±)', `${f.skewedIncarnations} (±${f.skewMs / 1000} s)`],
    ['schedules', String(f.schedules)],
    ['cron slots in the window', String(f.slots)],
    ['slots run (on time / catch-up)', `${f.executedSlots} (${f.onTime} / ${f.catchUp})`],
    ['final status of run slots', statuses || 'none'],
    ['slots skipped under their policy', `${f.skippedSlots}${skipped ? ` (${skipped})` : ''}`],
    ['chained runs (expected / found)', `${f.chainExpected} / ${f.chainFound}`],
    [
      'handler executions (incl. retries) / runs re-executed after a SIGKILL',
      `${f.executions} / ${f.reExecutedAfterCrash}`,
    ],
    ['runs re-executed after a lost lease (by cause)', list(f.reExecutedAfterLeaseLoss)],
    ['lease losses reported (reason/during)', list(f.leaseLosses)],
    [
      'idempotency keys delivered downstream / delivered twice (extra deliveries)',
      f.downstream
        ? `${f.downstream.keys} / ${f.downstream.keysDeliveredTwice} (${f.downstream.extraDeliveries})`
        : 'n/a',
    ],
    [
      'handler activity after a deadline: total (within 250 ms / process frozen by SIGSTOP / stalled) / max overrun',
      `${after.total} (${after.withinTolerance} / ${after.frozen} / ${after.stalled}) / ${after.maxOverrunMs} ms`,
    ],
    [
      'executions cut by a SIGKILL (mid-run) / runs adopted after their claimer died (mid-claim)',
      `${f.killedMidRun} / ${f.adoptedAfterClaimerDied}`,
    ],
    ['**duplicates**', String(f.duplicates)],
    ['**lost**', String(f.lost)],
    ['**stuck (pending/running after the quiet period)**', String(f.stuck)],
    [
      '**re-executions of a handler that finished** (incl. an attempt started twice)',
      String(
        /** @type {{ kind: string }[]} */ (result.violations).filter(
          (v) => v.kind === 're-execution' || v.kind === 'duplicate-execution',
        ).length,
      ),
    ],
    ['**overlapping executions of one run**', String(f.runOverlaps ?? 0)],
    ['**overlapping runs of one schedule (one lock)**', String(f.scheduleOverlaps ?? 0)],
    ['policy violations / phantom records', `${f.policyViolations} / ${f.phantom}`],
    [
      'locks left by killed processes (all expired) / renewed after the death by a renewal applied late (max delay)',
      `${f.deadOwnerLocks} / ${f.lateLockRenewals ?? 0} (${f.lateLockRenewalMaxMs ?? 0} ms)`,
    ],
    [
      'trigger lag, on-time runs: p50 / p99 / max (schedule time)',
      `${s(lag.p50)} / ${s(lag.p99)} / ${s(lag.max)} (min ${s(lag.min)})`,
    ],
    [
      'trigger lag, on-time runs: p50 / p99 / max (real time)',
      `${realMs(lag.p50, f.speed)} / ${realMs(lag.p99, f.speed)} / ${realMs(lag.max, f.speed)}`,
    ],
    [
      'trigger lag, all runs incl. catch-up: p99 / max (schedule time)',
      `${s(all.p99)} / ${s(all.max)} (real ${realMs(all.p99, f.speed)} / ${realMs(all.max, f.speed)})`,
    ],
    ['settled after (quiet period, real)', f.settledAfterMs === null ? 'not settled' : s(f.settledAfterMs)],
    ['whole run, real time (start-up, registration, chaos, quiet period, audit)', s(f.totalRealMs)],
    ['API log lines at warn / error', `${f.logWarnings} / ${f.logErrors}`],
    ['violations by kind', violationKinds(result.violations)],
    ['violations', String(result.violations.length)],
    ['seed', String(result.seed)],
  ];
}

/** `kind n, …` over the violations (`none` when there are none). */
function violationKinds(/** @type {unknown[]} */ violations) {
  /** @type {Record<string, number>} */
  const by = {};
  for (const v of /** @type {{ kind: string }[]} */ (violations)) by[v.kind] = (by[v.kind] ?? 0) + 1;
  return (
    Object.entries(by)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ') || 'none'
  );
}

/** Formats the rows as an aligned text table or a Markdown table. */
export function formatFigures(/** @type {string[][]} */ rows, markdown = false) {
  if (markdown) {
    return ['| figure | value |', '|---|---|', ...rows.map(([k, v]) => `| ${k} | ${v} |`)].join('\n');
  }
  const width = Math.max(...rows.map(([k]) => String(k).replace(/\*/g, '').length));
  return rows.map(([k, v]) => `${String(k).replace(/\*/g, '').padEnd(width)}  ${v}`).join('\n');
}
