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
      'handler executions (incl. retries) / re-executions after a SIGKILL / after a live process lost its lease',
      `${f.executions} / ${f.reExecutedAfterCrash} / ${f.reExecutedAfterLeaseLoss}`,
    ],
    [
      'executions cut by a SIGKILL (mid-run) / runs adopted after their claimer died (mid-claim)',
      `${f.killedMidRun} / ${f.adoptedAfterClaimerDied}`,
    ],
    ['**duplicates**', String(f.duplicates)],
    ['**lost**', String(f.lost)],
    ['**stuck (pending/running after the quiet period)**', String(f.stuck)],
    [
      'policy violations / phantom records / overlapping executions',
      `${f.policyViolations} / ${f.phantom} / ${f.overlaps}`,
    ],
    ['locks left by killed processes (all expired, none renewed after death)', String(f.deadOwnerLocks)],
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
    ['API log lines at warn / error', `${f.logWarnings} / ${f.logErrors}`],
    ['violations', String(result.violations.length)],
    ['seed', String(result.seed)],
  ];
}

/** Formats the rows as an aligned text table or a Markdown table. */
export function formatFigures(/** @type {string[][]} */ rows, markdown = false) {
  if (markdown) {
    return ['| figure | value |', '|---|---|', ...rows.map(([k, v]) => `| ${k} | ${v} |`)].join('\n');
  }
  const width = Math.max(...rows.map(([k]) => String(k).replace(/\*/g, '').length));
  return rows.map(([k, v]) => `${String(k).replace(/\*/g, '').padEnd(width)}  ${v}`).join('\n');
}
