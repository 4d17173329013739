#!/usr/bin/env node
// @craft/cron against croner, cron-parser, node-cron and cron: parse cost, next-run iteration and a cold next
// run, in UTC and in Europe/Stockholm, plus a correctness check in the same run. See bench/README.md.
//
//   pnpm bench cron                 full run (about 2-3 minutes on 2 shared cores)
//   pnpm bench cron --quick         smoke run (BENCH_QUICK=1 works too)
//   node --expose-gc bench/cron.bench.mjs [--quick] [--check-only] [--speed-only] [--markdown]
import os from 'node:os';
import { DateTime } from 'luxon';
import { loadAdapters } from './lib/cron/adapters.mjs';
import { EXPRESSIONS, toPosix } from './lib/cron/expressions.mjs';
import { DAY_RULES, nearTransition, parseReference, referenceRuns } from './lib/cron/reference.mjs';
import { collectGarbage, createRng, runInterleaved, sink } from './lib/harness.mjs';
import { formatPct, formatRate, formatRatio, formatTable } from './lib/table.mjs';

const args = new Set(process.argv.slice(2));
const QUICK = args.has('--quick') || process.env.BENCH_QUICK === '1';
const CHECK = !args.has('--speed-only');
const SPEED = !args.has('--check-only');
const MARKDOWN = args.has('--markdown');

const YEAR = 365.2425 * 86_400_000;
const CONFIG = QUICK
  ? {
      iterRuns: 100,
      iterBudgetMs: 10,
      iterFullMs: 25,
      coldPerExpr: 8,
      rounds: 2,
      iterRounds: 1,
      minSampleMs: 5,
      warmupMs: 5,
      checkRuns: 50,
      peerCheckRuns: 20,
      checkYears: 1,
    }
  : {
      iterRuns: 1000,
      iterBudgetMs: 100,
      iterFullMs: 250,
      coldPerExpr: 32,
      rounds: 5,
      iterRounds: 3,
      minSampleMs: 5,
      warmupMs: 10,
      checkRuns: 200,
      peerCheckRuns: 60,
      checkYears: 3,
    };
const GOAL = 10;
const ZONES = ['UTC', 'Europe/Stockholm'];
const ZONE_LABEL = { UTC: 'UTC', 'Europe/Stockholm': 'Sthlm' };
/** Iteration starts here for every expression. */
const ITER_START = new Date('2026-01-01T00:00:00.000Z');
/** Correctness starts: around Stockholm's DST changes, inside the repeated hour (both passes), and plain days. */
const CHECK_STARTS = [
  '2026-03-29T00:20:00.000Z', // 01:20 local, 40 minutes before the spring-forward gap
  '2026-10-25T00:40:00.000Z', // 02:40 CEST, first pass through the repeated hour
  '2026-10-25T01:15:00.000Z', // 02:15 CET, second pass through the repeated hour
  '2027-06-15T13:37:42.123Z', // an ordinary instant with seconds and milliseconds
  '2028-02-28T23:59:59.999Z', // the eve of a leap day
].map((s) => new Date(s));
const QUICK_STARTS = [0, 2];

const log = (msg) => process.stderr.write(`[cron bench] ${msg}\n`);
const started = performance.now();
const fmtInstant = (t, zone) =>
  t === undefined || t === null
    ? String(t)
    : DateTime.fromMillis(t, { zone }).toISO({ suppressMilliseconds: true, includeOffset: true });

// ---------------------------------------------------------------------------------------------- setup
const adapters = await loadAdapters();
const craft = adapters[0];
const usable = adapters.filter((a) => a.available);
const peers = usable.filter((a) => a !== craft);

console.log(
  '@craft/cron benchmark: parse, iteration and cold next run against peers, with a correctness check',
);
console.log(
  `node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.availableParallelism?.() ?? os.cpus().length} cores, ` +
    `load avg ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}, ${new Date().toISOString()}${QUICK ? ', QUICK run (smoke test, not for quoting)' : ''}`,
);
for (const a of adapters) {
  console.log(
    `  ${a.name.padEnd(12)} ${(a.version ?? '').padEnd(8)} ${a.available ? a.how : `n/a: ${a.reason}`}`,
  );
}
if (!craft.available) console.log(`\nWARNING: ${craft.reason}. Peers only; build it with pnpm run build.`);

/** Expression text per adapter, and which expressions each adapter could parse (per zone). */
const source = new Map(
  usable.map((a) => [a, EXPRESSIONS.map((e) => (a.dialect === 'iso' ? e.iso : toPosix(e.iso)))]),
);
const handles = new Map(); // `${name}|${zone}|${i}` -> parsed handle
const problems = []; // things that make a cell partial or n/a, printed under the table
for (const a of usable) {
  for (const zone of ZONES) {
    EXPRESSIONS.forEach((_, i) => {
      try {
        handles.set(`${a.name}|${zone}|${i}`, a.parse(source.get(a)[i], zone));
      } catch (e) {
        problems.push(`${a.name} cannot parse \`${source.get(a)[i]}\` (${zone}): ${e.message}`);
      }
    });
  }
}
const handle = (a, zone, i) => handles.get(`${a.name}|${zone}|${i}`);

let failures = 0; // @craft/cron correctness failures (exit code 1)

// ------------------------------------------------------------------------------------------ correctness
function chained(a, h, start, n, endMs, zone) {
  const runs = [];
  let t = start;
  try {
    while (runs.length < n) {
      const next = a.next(h, t, zone);
      if (next === null || next >= endMs) break;
      if (!(next > t.getTime())) return { runs, error: `not strictly after: ${fmtInstant(next, zone)}` };
      runs.push(next);
      t = new Date(next);
    }
  } catch (e) {
    return { runs, error: e.message.split('\n')[0] };
  }
  return { runs };
}

function firstDifference(expected, got) {
  const n = Math.max(expected.length, got.length);
  for (let i = 0; i < n; i++) if (expected[i] !== got[i]) return i;
  return -1;
}

function describeDiff(expected, got, zone) {
  const i = firstDifference(expected, got);
  return `run #${i + 1}: expected ${fmtInstant(expected[i], zone)}, got ${fmtInstant(got[i], zone)} (${expected.length} vs ${got.length} runs)`;
}

function checkCorrectness() {
  const starts = QUICK ? QUICK_STARTS.map((i) => CHECK_STARTS[i]) : CHECK_STARTS;
  const n = CONFIG.checkRuns;
  const peerN = CONFIG.peerCheckRuns;
  console.log(
    `\nCorrectness: the first ${n} runs (peers: ${peerN}, they are slow) after each of ${starts.length} start instants, ` +
      `runs within ${CONFIG.checkYears} years, ${EXPRESSIONS.length} expressions; the reference is a minute-by-minute walk ` +
      '(bench/lib/cron/reference.mjs)',
  );
  const refs = EXPRESSIONS.map((e) => parseReference(e.iso));
  for (const zone of ZONES) {
    const t0 = performance.now();
    const spent = new Map();
    const timed = (name, fn) => {
      const s0 = performance.now();
      try {
        return fn();
      } finally {
        spent.set(name, (spent.get(name) ?? 0) + performance.now() - s0);
      }
    };
    const lines = [];
    /** per adapter: { agree, total, byExpr: Map<i, string[]> } */
    const tally = new Map(usable.map((a) => [a, { agree: 0, total: 0, byExpr: new Map() }]));
    const note = (a, i, text) => {
      const t = tally.get(a);
      if (!t.byExpr.has(i)) t.byExpr.set(i, []);
      t.byExpr.get(i).push(text);
    };
    const alternativeIssues = [];
    EXPRESSIONS.forEach((expr, i) => {
      for (const start of starts) {
        const endMs = start.getTime() + CONFIG.checkYears * YEAR;
        const ref = timed('reference', () => referenceRuns(refs[i], zone, start.getTime(), n, endMs));
        let craftRuns;
        if (craft.available && handle(craft, zone, i)) {
          const h = handle(craft, zone, i);
          try {
            const all = [];
            timed(craft.name, () => craft.iterate(h, start, n, zone, all));
            craftRuns = all.filter((t) => t < endMs);
          } catch (e) {
            craftRuns = null;
            note(craft, i, `${start.toISOString()}: nextRuns threw ${e.message}`);
          }
          try {
            const alternatives = timed(craft.name, () => craft.alternatives(h, start, n, zone));
            for (const [how, runs] of Object.entries(alternatives)) {
              const within = runs.filter((t) => t < endMs);
              const base = craftRuns ?? ref;
              if (firstDifference(base, within) >= 0) {
                alternativeIssues.push(
                  `\`${expr.iso}\` from ${start.toISOString()}: ${how} differs from nextRuns: ${describeDiff(base, within, zone)}`,
                );
              }
            }
          } catch (e) {
            alternativeIssues.push(`\`${expr.iso}\` from ${start.toISOString()}: threw ${e.message}`);
          }
        }
        for (const a of usable) {
          const h = handle(a, zone, i);
          const t = tally.get(a);
          t.total++;
          if (!h) {
            note(a, i, 'cannot parse');
            continue;
          }
          let runs;
          let error;
          if (a === craft) runs = craftRuns;
          else {
            ({ runs, error } = timed(a.name, () => chained(a, h, start, peerN, endMs, zone)));
            // The iteration column uses the library's own iteration; it must give the same runs.
            if (!error && runs.length > 0 && !a.iterateIsChainedNext) {
              const viaIterate = [];
              try {
                timed(a.name, () => a.iterate(h, start, runs.length, zone, viaIterate));
                if (firstDifference(runs, viaIterate) >= 0) {
                  note(
                    a,
                    i,
                    `${start.toISOString()}: its own iteration differs from chained next(): ${describeDiff(runs, viaIterate, zone)}`,
                  );
                }
              } catch (e) {
                note(a, i, `${start.toISOString()}: its own iteration threw: ${e.message.split('\n')[0]}`);
              }
            }
          }
          if (!runs) continue;
          // In UTC peers are held to @craft/cron (the reference when it is missing); in Stockholm to the reference.
          const limit = a === craft ? n : peerN;
          const against = (zone === 'UTC' && a !== craft && craftRuns ? craftRuns : ref).slice(0, limit);
          if (!error && firstDifference(against, runs) < 0) {
            t.agree++;
            continue;
          }
          if (error && firstDifference(against.slice(0, runs.length), runs) < 0) {
            note(a, i, `${start.toISOString()}: stopped after ${runs.length} runs: ${error}`);
            continue;
          }
          // Name the difference when a documented alternative rule explains it.
          const explained = Object.keys(DAY_RULES).find(
            (rule) =>
              rule !== 'vixie' &&
              firstDifference(referenceRuns(refs[i], zone, start.getTime(), limit, endMs, rule), runs) < 0,
          );
          const j = firstDifference(against, runs);
          const at = against[j] ?? runs[j];
          const kind = explained
            ? `day rule "${explained}"`
            : zone !== 'UTC' && nearTransition(zone, at)
              ? 'DST policy'
              : 'differs';
          note(a, i, `${start.toISOString()}: ${kind}: ${describeDiff(against, runs, zone)}`);
        }
      }
    });
    const secs = (ms) => (ms / 1000).toFixed(1);
    const where = [...spent].map(([k, ms]) => `${k} ${secs(ms)}`).join(', ');
    lines.push(`\n${zone} (${secs(performance.now() - t0)} s: ${where})`);
    for (const a of usable) {
      const t = tally.get(a);
      const role =
        a === craft
          ? 'vs reference (must agree)'
          : zone === 'UTC'
            ? `vs ${craft.available ? '@craft/cron' : 'reference'}`
            : 'vs reference (informational: DST policies differ)';
      lines.push(`  ${a.name.padEnd(12)} ${role}: ${t.agree}/${t.total} cases agree`);
      for (const [i, notes] of t.byExpr) {
        lines.push(`    \`${EXPRESSIONS[i].iso}\` (${EXPRESSIONS[i].why}):`);
        for (const s of notes.slice(0, 3)) lines.push(`      ${s}`);
        if (notes.length > 3) lines.push(`      ... and ${notes.length - 3} more start instants`);
      }
      if (a === craft) failures += t.total - t.agree;
    }
    if (craft.available) {
      if (alternativeIssues.length === 0) {
        lines.push('  @craft/cron   nextRuns = runs() iterator = chained next(): consistent in every case');
      } else {
        failures += alternativeIssues.length;
        lines.push('  @craft/cron   nextRuns vs runs() iterator vs chained next(): INCONSISTENT');
        for (const s of alternativeIssues.slice(0, 10)) lines.push(`    ${s}`);
      }
    }
    console.log(lines.join('\n'));
  }
  checkColdSpots(refs);
}

/** A few cold next runs per expression at random instants (with milliseconds), against the reference. */
function checkColdSpots(refs) {
  const rng = createRng(7);
  const perExpr = QUICK ? 2 : 6;
  const lo = Date.UTC(2025, 0, 1);
  const span = Date.UTC(2031, 0, 1) - lo;
  const bad = new Map(usable.map((a) => [a, []]));
  let total = 0;
  for (const zone of ZONES) {
    EXPRESSIONS.forEach((expr, i) => {
      for (let k = 0; k < perExpr; k++) {
        const t = lo + Math.floor(rng() * span);
        const ref = referenceRuns(refs[i], zone, t, 1, t + 5 * YEAR)[0] ?? null;
        total++;
        for (const a of usable) {
          const h = handle(a, zone, i);
          if (!h) continue;
          let got;
          try {
            got = a.next(h, new Date(t), zone);
          } catch (e) {
            got = `threw ${e.message.split('\n')[0]}`;
          }
          if (got !== ref) {
            const shown = typeof got === 'number' ? fmtInstant(got, zone) : got;
            bad
              .get(a)
              .push(
                `\`${expr.iso}\` ${zone} after ${fmtInstant(t, zone)}: expected ${fmtInstant(ref, zone)}, got ${shown}`,
              );
          }
        }
      }
    });
  }
  console.log(`\nCold spot check: next run after ${total} random instants (both zones) vs the reference`);
  for (const a of usable) {
    const b = bad.get(a);
    console.log(
      `  ${a.name.padEnd(12)} ${total - b.length}/${total} agree${a === craft ? '' : ' (informational)'}`,
    );
    for (const s of b.slice(0, 4)) console.log(`    ${s}`);
    if (b.length > 4) console.log(`    ... and ${b.length - 4} more`);
    if (a === craft) failures += b.length;
  }
}

// ------------------------------------------------------------------------------------------------ speed
const COLUMNS = ZONES.flatMap((zone) => [
  { key: `parse ${ZONE_LABEL[zone]}`, zone, title: `parse/s ${ZONE_LABEL[zone]}` },
  { key: `iter ${ZONE_LABEL[zone]}`, zone, title: `iter runs/s ${ZONE_LABEL[zone]}` },
  { key: `cold ${ZONE_LABEL[zone]}`, zone, title: `cold next/s ${ZONE_LABEL[zone]}` },
]);

function measureSpeed() {
  const rng = createRng(42);
  // Cold instants: spread over 2025-2030 with random seconds and milliseconds; each expression gets its own.
  const lo = Date.UTC(2025, 0, 1);
  const span = Date.UTC(2031, 0, 1) - lo;
  const coldDates = EXPRESSIONS.map(() =>
    Array.from({ length: CONFIG.coldPerExpr }, () => new Date(lo + Math.floor(rng() * span))),
  );
  const tasks = [];
  const partial = new Map(); // `${name}|${column}` -> [expressions left out]
  const short = new Map(); // `${name}|${column}` -> [expressions timed on fewer than iterRuns runs]
  const add = (map, a, column, i, why) => {
    const k = `${a.name}|${column}`;
    if (!map.has(k)) map.set(k, []);
    map.get(k).push(`\`${source.get(a)[i]}\` (${why})`);
  };
  const leaveOut = (a, column, i, why) => add(partial, a, column, i, why);
  const capped = (a, column, i, why) => add(short, a, column, i, why);
  const p0 = performance.now();
  for (const a of usable) {
    for (const zone of ZONES) {
      const z = ZONE_LABEL[zone];
      EXPRESSIONS.forEach((_, i) => {
        const h = handle(a, zone, i);
        const text = source.get(a)[i];
        if (!h) {
          for (const c of ['parse', 'iter', 'cold']) leaveOut(a, `${c} ${z}`, i, 'cannot parse');
          return;
        }
        tasks.push({ subject: a.name, column: `parse ${z}`, key: i, ops: 1, fn: () => a.parse(text, zone) });
        const dates = coldDates[i];
        try {
          for (const d of dates) a.next(h, d, zone);
          tasks.push({
            subject: a.name,
            column: `cold ${z}`,
            key: i,
            ops: dates.length,
            fn: () => {
              let s = 0;
              for (let k = 0; k < dates.length; k++) s += a.next(h, dates[k], zone) ?? 0;
              return s;
            },
          });
        } catch (e) {
          leaveOut(a, `cold ${z}`, i, e.message.split('\n')[0]);
        }
        // iterRuns successive runs per expression. A library that would need more than iterFullMs for them
        // (under 4k runs/s in the full run) is timed on the first k runs of the same sequence instead, k worth
        // about iterBudgetMs (estimated from the best of 3 × 20 runs), so that a round stays short.
        try {
          const probe = Math.min(20, CONFIG.iterRuns);
          let perRun = Number.POSITIVE_INFINITY;
          for (let k = 0; k < 3; k++) {
            const t0 = performance.now();
            a.iterate(h, ITER_START, probe, zone);
            perRun = Math.min(perRun, (performance.now() - t0) / probe);
          }
          let n =
            perRun * CONFIG.iterRuns <= CONFIG.iterFullMs
              ? CONFIG.iterRuns
              : Math.min(CONFIG.iterRuns, Math.max(probe, Math.floor(CONFIG.iterBudgetMs / perRun)));
          const got = a.iterate(h, ITER_START, n, zone);
          if (got < n) {
            capped(a, `iter ${z}`, i, `the library stops after ${got} runs`);
            n = got;
          } else if (n < CONFIG.iterRuns) capped(a, `iter ${z}`, i, `${n} runs`);
          tasks.push({
            subject: a.name,
            column: `iter ${z}`,
            key: i,
            ops: n,
            rounds: CONFIG.iterRounds,
            fn: () => a.iterate(h, ITER_START, n, zone),
            warm: () => a.iterate(h, ITER_START, Math.ceil(n / 10), zone),
            warmScale: n / Math.ceil(n / 10),
          });
        } catch (e) {
          leaveOut(a, `iter ${z}`, i, e.message.split('\n')[0].trim());
        }
      });
    }
  }
  log(`probed each library per expression and zone in ${((performance.now() - p0) / 1000).toFixed(1)} s`);
  collectGarbage();
  const results = runInterleaved(tasks, {
    rounds: CONFIG.rounds,
    minSampleMs: CONFIG.minSampleMs,
    warmupMs: CONFIG.warmupMs,
    progress: log,
  });
  return { results, partial, short };
}

function printSpeed({ results, partial, short }) {
  const cell = (a, c) => results.get(a.name)?.get(c.key);
  const rows = [];
  for (const a of adapters) {
    rows.push([
      a.name,
      ...COLUMNS.map((c) => {
        const r = a.available ? cell(a, c) : undefined;
        if (!r) return 'n/a';
        const k = `${a.name}|${c.key}`;
        return `${formatRate(r.median)}${short.has(k) ? '†' : ''}${partial.has(k) ? '*' : ''}`;
      }),
    ]);
  }
  const fastest = COLUMNS.map((c) => {
    let best;
    for (const p of peers) {
      const r = cell(p, c);
      if (r && (!best || r.median > best.r.median)) best = { p, r };
    }
    return best;
  });
  const ratios = COLUMNS.map((c, k) => {
    const mine = craft.available ? cell(craft, c) : undefined;
    return mine && fastest[k] ? mine.median / fastest[k].r.median : Number.NaN;
  });
  rows.push(COLUMNS.map(() => ''));
  rows.push(['fastest peer', ...fastest.map((f) => (f ? f.p.name : 'n/a'))]);
  rows.push(['@craft/cron ÷ fastest', ...ratios.map(formatRatio)]);
  rows.push([
    `goal ≥${GOAL}×`,
    ...ratios.map((x) => (Number.isFinite(x) ? (x >= GOAL ? 'PASS' : 'FAIL') : 'n/a')),
  ]);
  const headers = ['library', ...COLUMNS.map((c) => c.title)];
  console.log(
    `\nSpeed: medians over ${CONFIG.rounds} rounds (iteration: ${CONFIG.iterRounds}), libraries interleaved per round; ` +
      `${EXPRESSIONS.length} expressions; iter = ${CONFIG.iterRuns} successive runs per expression from ${ITER_START.toISOString()}; ` +
      `cold = next run after ${CONFIG.coldPerExpr} instants per expression spread over 2025-2030`,
  );
  console.log(formatTable(headers, rows));
  if (MARKDOWN) console.log(`\n${formatTable(headers, rows, { markdown: true })}`);

  // Noise: how far the rounds spread around the median.
  const spreadRows = usable.map((a) => [
    a.name,
    ...COLUMNS.map((c) => {
      const r = cell(a, c);
      return r ? `${formatPct((r.max - r.min) / r.median)}` : 'n/a';
    }),
  ]);
  console.log('\nSpread between rounds ((max - min) / median):');
  console.log(formatTable(headers, spreadRows));
  if (partial.size > 0) {
    console.log(
      '\n* measured without some expressions (a partial workload; the ratio still uses it, which only',
    );
    console.log('  flatters the peer when the left-out expressions are its slow ones):');
    for (const [k, list] of partial) {
      console.log(
        `  ${k.replace('|', ', ')}: ${list.length} left out: ${list.slice(0, 4).join('; ')}${list.length > 4 ? '; ...' : ''}`,
      );
    }
  }
  if (short.size > 0) {
    console.log(
      `\n† timed on fewer than ${CONFIG.iterRuns} successive runs for some expressions: the first k runs of`,
    );
    console.log(
      `  the same sequence (k worth about ${CONFIG.iterBudgetMs} ms) when all ${CONFIG.iterRuns} would take over ` +
        `${CONFIG.iterFullMs} ms, or the library's own limit:`,
    );
    for (const [k, list] of short) {
      console.log(
        `  ${k.replace('|', ', ')}: ${list.length} expressions: ${list.slice(0, 3).join('; ')}${list.length > 3 ? '; ...' : ''}`,
      );
    }
  }
  for (const p of problems) console.log(`  ${p}`);
  return ratios;
}

// ------------------------------------------------------------------------------------------------- main
if (CHECK) checkCorrectness();
if (SPEED) printSpeed(measureSpeed());
console.log(
  `\nTotal ${((performance.now() - started) / 1000).toFixed(0)} s; load avg now ${os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}; sink ${sink.value}`,
);
if (!craft.available) {
  console.log('RESULT: @craft/cron not available: peers only.');
  process.exit(1);
}
if (failures > 0) {
  console.log(`RESULT: @craft/cron correctness: ${failures} failing cases (see above).`);
  process.exit(1);
}
console.log('RESULT: @craft/cron agrees with the reference in every checked case.');
