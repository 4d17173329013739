// One adapter per library, all with the same shape, so the benchmark measures and checks them alike.
//
//   parse(expr, zone)          -> handle   what the "parse" column times: everything the library needs
//                                          before it can answer next-run questions in that zone
//   next(handle, date, zone)   -> ms|null  one next run strictly after `date`, from the parsed handle and no
//                                          iterator state (the "cold" column)
//   iterate(handle, start, n, zone, out?) -> count   n successive runs strictly after start (the "iter"
//                                          column); pushes epoch ms into `out` when given
//   iterateIsChainedNext                   true when iterate is next() applied to each previous run, so the
//                                          correctness check need not run it separately
//
// Every adapter is given the zone by name ('UTC' or an IANA zone), as a scheduler configured with a zone
// would do. Expressions arrive already in the adapter's dialect (see `dialect`).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);

function versionOf(pkg) {
  try {
    // Walk up from the resolved entry point to the package's own package.json.
    let dir = dirname(fileURLToPath(import.meta.resolve(pkg)));
    for (;;) {
      try {
        const json = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
        if (json.name === pkg) return json.version;
      } catch {}
      const up = dirname(dir);
      if (up === dir) return '?';
      dir = up;
    }
  } catch {
    return '?';
  }
}

async function craftAdapter() {
  let mod;
  try {
    mod = await import('@craft/cron');
  } catch (e) {
    return { name: '@craft/cron', available: false, reason: `cannot import @craft/cron (${e.message})` };
  }
  if (typeof mod.parseCron !== 'function') {
    return {
      name: '@craft/cron',
      available: false,
      reason: '@craft/cron has no parseCron export yet (not built, or not written yet)',
    };
  }
  const { parseCron } = mod;
  const options = new Map();
  const opts = (zone) => {
    if (!options.has(zone)) options.set(zone, { timezone: zone });
    return options.get(zone);
  };
  return {
    name: '@craft/cron',
    version: versionOf('@craft/cron'),
    available: true,
    dialect: 'iso',
    how: 'parseCron(s); expr.next(d, { timezone }); expr.nextRuns(d, n, { timezone })',
    parse: (expr) => parseCron(expr),
    next: (h, date, zone) => h.next(date, opts(zone))?.getTime() ?? null,
    iterate: (h, start, n, zone, out) => {
      const runs = h.nextRuns(start, n, opts(zone));
      if (out) for (const d of runs) out.push(d.getTime());
      else for (let i = 0; i < runs.length; i++) runs[i].getTime();
      return runs.length;
    },
    /** The same runs through the iterator and through chained next(): all three must agree. */
    alternatives: (h, start, n, zone) => {
      const viaIterator = [];
      for (const d of h.runs(start, opts(zone))) {
        viaIterator.push(d.getTime());
        if (viaIterator.length >= n) break;
      }
      const viaNext = [];
      let t = start;
      while (viaNext.length < n) {
        const d = h.next(t, opts(zone));
        if (d === null) break;
        viaNext.push(d.getTime());
        t = d;
      }
      return { 'runs() iterator': viaIterator, 'chained next()': viaNext };
    },
  };
}

async function cronerAdapter() {
  const { Cron } = await import('croner');
  const options = new Map();
  const opts = (zone) => {
    if (!options.has(zone)) {
      // 5-part: seconds fixed at 0 as in crontab. sloppyRanges: accept `15/30` (croner rejects N/M without
      // it). DOM/DOW: croner's default (domAndDow: false) is OR, as in crontab.
      options.set(zone, { timezone: zone, mode: '5-part', sloppyRanges: true });
    }
    return options.get(zone);
  };
  return {
    name: 'croner',
    version: versionOf('croner'),
    available: true,
    iterateIsChainedNext: true, // nextRuns(n, d) loops nextRun(previous run)
    dialect: 'posix',
    how: "new Cron(s, { timezone, mode: '5-part', sloppyRanges: true }) without a callback (no timer); job.nextRun(d); job.nextRuns(n, d)",
    parse: (expr, zone) => new Cron(expr, { ...opts(zone) }),
    next: (h, date) => h.nextRun(date)?.getTime() ?? null,
    iterate: (h, start, n, _zone, out) => {
      const runs = h.nextRuns(n, start);
      if (out) for (const d of runs) out.push(d.getTime());
      else for (let i = 0; i < runs.length; i++) runs[i].getTime();
      return runs.length;
    },
  };
}

async function cronParserAdapter() {
  const { CronExpressionParser } = await import('cron-parser');
  return {
    name: 'cron-parser',
    version: versionOf('cron-parser'),
    available: true,
    dialect: 'posix',
    how: 'CronExpressionParser.parse(s, { tz }); cold: expr.reset(d) then expr.next() (the parsed expression is a stateful iterator; reset() is its way to start from an instant); iter: reset(start) then next() n times',
    parse: (expr, zone) => CronExpressionParser.parse(expr, { tz: zone }),
    next: (h, date) => {
      h.reset(date);
      return h.next().getTime();
    },
    iterate: (h, start, n, _zone, out) => {
      h.reset(start);
      for (let i = 0; i < n; i++) {
        const t = h.next().getTime();
        if (out) out.push(t);
      }
      return n;
    },
  };
}

async function nodeCronAdapter() {
  // node-cron's public API cannot answer "next run after instant X": task.getNextRun() needs a started task
  // (timers) and task.getNextRuns(n) always starts from the current time. Both call the internal
  // TimeMatcher.getNextMatch(date), which takes the instant; the benchmark calls that class directly. It is not
  // exported, so it is found in the package's shared chunk by shape (a class with getNextMatch and match).
  let TimeMatcher;
  try {
    const entry = fileURLToPath(import.meta.resolve('node-cron'));
    const shared = await import(pathToFileURL(join(dirname(entry), '_shared.js')).href);
    TimeMatcher = Object.values(shared).find(
      (v) => typeof v === 'function' && v.prototype?.getNextMatch && v.prototype?.match,
    );
  } catch {}
  if (!TimeMatcher) {
    return {
      name: 'node-cron',
      version: versionOf('node-cron'),
      available: false,
      reason:
        'no next-run-after-an-instant API: getNextRun() needs a started task and getNextRuns(n) starts from now, and the internal TimeMatcher was not found',
    };
  }
  return {
    name: 'node-cron',
    version: versionOf('node-cron'),
    available: true,
    iterateIsChainedNext: true,
    dialect: 'posix',
    how: 'internal TimeMatcher (what task.getNextRuns uses): new TimeMatcher(s, tz); matcher.getNextMatch(d)',
    parse: (expr, zone) => new TimeMatcher(expr, zone),
    next: (h, date) => h.getNextMatch(date).getTime(),
    iterate: (h, start, n, _zone, out) => {
      let d = start;
      for (let i = 0; i < n; i++) {
        d = h.getNextMatch(d);
        if (out) out.push(d.getTime());
      }
      return n;
    },
  };
}

async function cronAdapter() {
  const { CronTime } = require('cron');
  return {
    name: 'cron',
    version: versionOf('cron'),
    available: true,
    iterateIsChainedNext: true,
    dialect: 'posix',
    how: 'new CronTime(s, tz); time.getNextDateFrom(d, tz) (what sendAt(n) loops over, from now); iter: chained getNextDateFrom',
    parse: (expr, zone) => new CronTime(expr, zone),
    next: (h, date, zone) => h.getNextDateFrom(date, zone).toMillis(),
    iterate: (h, start, n, zone, out) => {
      let d = start;
      for (let i = 0; i < n; i++) {
        d = h.getNextDateFrom(d, zone);
        const t = d.toMillis();
        if (out) out.push(t);
      }
      return n;
    },
  };
}

/** The subject first, then the peers. Unavailable adapters carry a `reason`. */
export async function loadAdapters() {
  return Promise.all([
    craftAdapter(),
    cronerAdapter(),
    cronParserAdapter(),
    nodeCronAdapter(),
    cronAdapter(),
  ]);
}
