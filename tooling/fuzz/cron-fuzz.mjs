#!/usr/bin/env node
// @ts-check
// Fuzzes the built @craft/cron parser: at least 10^5 random and mutated expressions (strings over the cron
// alphabet, any unicode, mutations of valid expressions, huge numbers, long lists). Each input is parsed and, when
// valid, asked for its next run in a random zone. Checks: only CronError subclasses are thrown (with a known code),
// no input takes more than 50 ms (a hang), and a valid expression's next run is a whole minute after the start that
// the expression matches.
//
//   node tooling/fuzz/cron-fuzz.mjs [--count 100000] [--seed N] [--json]     (pnpm fuzz:cron)
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { CRON_ERROR_CODES, CronError, parseCron } from '@craft/cron';

/** Time above which one parse + next counts as a hang, in ms. */
export const HANG_MS = 50;

const ZONES = [
  'UTC',
  'Europe/Stockholm',
  'Australia/Lord_Howe',
  'Pacific/Chatham',
  'America/New_York',
  'Asia/Kolkata',
];

/** Valid expressions the mutations start from (spec examples, steps, lists, names, macros). */
export const SEEDS = [
  '* * * * *',
  '0 3 * * *',
  '*/15 * * * *',
  '0 * * * *',
  '0 9 * * 0-4',
  '0 0 1 * *',
  '0 0 * * 6',
  '30 2 * * 5',
  '0,15,30,45 * * * *',
  '0 9-17 * * *',
  '*/10 * * * *',
  '15/30 * * * *',
  '0-30/10 * * * *',
  '1-5,3 * * * *',
  '0 0 */2 * 0',
  '0 0 13 * 4',
  '0 0 29 2 *',
  '30 2 * * *',
  '*/10 2 * * *',
  '0 0 1 jan *',
  '0 12 * * mon-fri',
  '@daily',
  '@hourly',
  '@weekly',
  '@monthly',
  '@yearly',
  '59 23 31 12 6',
];

const ALPHABET = '0123456789*/,- \t?LW#@abcdefghijklmnopqrstuvwxyzJANFEBMONSU'.split('');
const TRICKY = [
  '99999999999999999999',
  '9007199254740993',
  '1e309',
  '1e3',
  '-0',
  '-1',
  '0x10',
  '0b1',
  '00000000000000000000000000001',
  '٣',
  '０',
  '\u00a0',
  '\u200b',
  '\ufeff',
  '\ud800',
  '\udfff',
  '𝟘',
  'NaN',
  'Infinity',
  '*/0',
  '*/60',
  '*/9999999999',
  '5-1',
  '1--2',
  '//',
  ',,',
  '*-*',
  '**',
  '\n',
  '\u0000',
  '__proto__',
  'constructor',
];

/** @param {() => number} rnd */
function pick(rnd, /** @type {readonly any[]} */ list) {
  return list[Math.floor(rnd() * list.length)];
}

/** Small seeded PRNG (mulberry32). */
export function createRng(/** @type {number} */ seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random code point string (any plane, lone surrogates, controls). @param {() => number} rnd */
function unicodeString(rnd, /** @type {number} */ length) {
  let s = '';
  for (let i = 0; i < length; i++) {
    const r = rnd();
    const cp =
      r < 0.3
        ? Math.floor(rnd() * 0x80)
        : r < 0.6
          ? Math.floor(rnd() * 0x800)
          : r < 0.8
            ? Math.floor(rnd() * 0x10000)
            : Math.floor(rnd() * 0x110000);
    s += cp >= 0xd800 && cp <= 0xdfff ? String.fromCharCode(cp) : String.fromCodePoint(cp);
  }
  return s;
}

/** A 5-field expression from the grammar, mostly in range (some values are not). @param {() => number} rnd */
function grammarExpression(rnd) {
  const ranges = [
    [0, 59],
    [0, 23],
    [1, 31],
    [1, 12],
    [0, 6],
  ];
  return ranges
    .map(([lo, hi]) => {
      const span = /** @type {number} */ (hi) - /** @type {number} */ (lo) + 1;
      const num = () =>
        String(
          rnd() < 0.97
            ? /** @type {number} */ (lo) + Math.floor(rnd() * span)
            : Math.floor(rnd() * (rnd() < 0.9 ? 100 : 1e9)),
        );
      const step = () => String(rnd() < 0.97 ? 1 + Math.floor(rnd() * span) : Math.floor(rnd() * 200));
      const atom = () => {
        const r = rnd();
        if (r < 0.3) return '*';
        if (r < 0.45) return `*/${step()}`;
        if (r < 0.65) return num();
        if (r < 0.8) return `${num()}-${num()}`;
        if (r < 0.92) return `${num()}-${num()}/${step()}`;
        return `${num()}/${step()}`;
      };
      return Array.from({ length: 1 + Math.floor(rnd() * (rnd() < 0.9 ? 3 : 40)) }, atom).join(',');
    })
    .join(' ');
}

/** A mutation of `s`: 1-4 edits. @param {() => number} rnd */
function mutate(rnd, /** @type {string} */ s) {
  let out = s;
  const edits = 1 + Math.floor(rnd() * 4);
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(rnd() * (out.length + 1));
    const r = rnd();
    if (r < 0.2) out = out.slice(0, at) + pick(rnd, ALPHABET) + out.slice(at);
    else if (r < 0.35) out = out.slice(0, at) + out.slice(at + 1);
    else if (r < 0.5) out = out.slice(0, at) + pick(rnd, ALPHABET) + out.slice(at + 1);
    else if (r < 0.65) out = out.slice(0, at) + pick(rnd, TRICKY) + out.slice(at);
    else if (r < 0.75) {
      const fields = out.split(' ');
      const j = Math.floor(rnd() * fields.length);
      fields.splice(j, 0, fields[j] ?? '*');
      out = fields.join(' ');
    } else if (r < 0.85) {
      const fields = out.split(' ');
      out = fields.sort(() => rnd() - 0.5).join(' ');
    } else if (r < 0.93)
      out = out.slice(0, at) + unicodeString(rnd, 1 + Math.floor(rnd() * 3)) + out.slice(at);
    else out = out.replace(/ /g, pick(rnd, ['  ', '\t', ' \u00a0', '\n', '']));
  }
  return out;
}

/** A huge or long input: long lists, huge numbers, very long strings. @param {() => number} rnd */
function hugeInput(rnd) {
  const r = rnd();
  if (r < 0.3) {
    const items = Array.from({ length: 100 + Math.floor(rnd() * 5000) }, () =>
      String(Math.floor(rnd() * 60)),
    );
    return `${items.join(',')} * * * *`;
  }
  if (r < 0.5) return `${'9'.repeat(1 + Math.floor(rnd() * 5000))} * * * *`;
  if (r < 0.65) return Array.from({ length: 5 }, () => `0-59/1,${'1-2,'.repeat(500)}3`).join(' ');
  if (r < 0.8) return `* * * * * ${'* '.repeat(Math.floor(rnd() * 10_000))}`;
  return pick(rnd, SEEDS).padStart(10_000 + Math.floor(rnd() * 50_000), ' ');
}

/**
 * One input of the mix.
 * @param {() => number} rnd
 * @returns {[string, string]} [generator, input]
 */
export function generate(rnd) {
  const r = rnd();
  if (r < 0.25) {
    const len = Math.floor(rnd() * 30);
    return ['alphabet', Array.from({ length: len }, () => pick(rnd, ALPHABET)).join('')];
  }
  if (r < 0.35) return ['unicode', unicodeString(rnd, Math.floor(rnd() * 25))];
  if (r < 0.7) return ['mutation', mutate(rnd, pick(rnd, SEEDS))];
  if (r < 0.95) return ['grammar', grammarExpression(rnd)];
  if (r < 0.995) return ['tricky', `${pick(rnd, TRICKY)} ${pick(rnd, TRICKY)} * * *`];
  return ['huge', hugeInput(rnd)];
}

/**
 * One check: parse, and for a valid expression its next run after a random instant in a random zone.
 * @param {string} input @param {() => number} rnd
 * @returns {{ outcome: string, problem?: string }}
 */
export function checkOne(input, rnd) {
  try {
    const expr = parseCron(input);
    const zone = pick(rnd, ZONES);
    const from = Date.UTC(2000, 0, 1) + Math.floor(rnd() * 60 * 365.25 * 24 * 3600 * 1000);
    const next = expr.next(from, { timezone: zone });
    if (next !== null) {
      const t = next.getTime();
      if (!(t > from) || t % 60_000 !== 0) {
        return {
          outcome: 'valid',
          problem: `next(${new Date(from).toISOString()}, ${zone}) = ${next.toISOString()}`,
        };
      }
      if (!expr.matches(next, { timezone: zone })) {
        return { outcome: 'valid', problem: `next run ${next.toISOString()} in ${zone} does not match` };
      }
    }
    return { outcome: 'valid' };
  } catch (error) {
    if (
      error instanceof CronError &&
      /** @type {readonly string[]} */ (CRON_ERROR_CODES).includes(error.code)
    ) {
      return { outcome: error.code };
    }
    const e = /** @type {Error} */ (error);
    return {
      outcome: 'untyped',
      problem: `${e?.constructor?.name ?? typeof error}: ${String(e?.message ?? error)}`,
    };
  }
}

/**
 * Runs the fuzzer. Returns counts per outcome and generator, the max time per input, and the violations.
 * @param {{ count?: number, seed?: number }} [options]
 */
export function runCronFuzz(options = {}) {
  const count = options.count ?? 100_000;
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  const rnd = createRng(seed);
  /** @type {Record<string, number>} */
  const outcomes = {};
  /** @type {Record<string, number>} */
  const generators = {};
  /** @type {{ kind: string, input: string, detail: string }[]} */
  const violations = [];
  let maxMs = 0;
  let maxInput = '';
  let slowRetried = 0;
  let maxConfirmedMs = 0;
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const [gen, input] = generate(rnd);
    generators[gen] = (generators[gen] ?? 0) + 1;
    const checkSeed = rnd();
    const start = performance.now();
    const result = checkOne(input, createRng(checkSeed * 2 ** 32));
    const took = performance.now() - start;
    if (took > maxMs) {
      maxMs = took;
      maxInput = input;
    }
    if (took > HANG_MS) {
      // A GC pause or a busy machine can stall one call; a hang is slow every time and burns CPU. Re-measure
      // 3 times, wall and CPU time: a hang is > HANG_MS in both, every time.
      slowRetried++;
      let bestWall = Number.POSITIVE_INFINITY;
      let bestCpu = Number.POSITIVE_INFINITY;
      for (let k = 0; k < 3; k++) {
        const cpu = process.cpuUsage();
        const s = performance.now();
        checkOne(input, createRng(checkSeed * 2 ** 32));
        bestWall = Math.min(bestWall, performance.now() - s);
        const used = process.cpuUsage(cpu);
        bestCpu = Math.min(bestCpu, (used.user + used.system) / 1000);
      }
      maxConfirmedMs = Math.max(maxConfirmedMs, Math.min(bestWall, bestCpu));
      if (bestWall > HANG_MS && bestCpu > HANG_MS) {
        violations.push({
          kind: 'hang',
          input: input.slice(0, 200),
          detail: `best of 3 re-runs: ${bestWall.toFixed(1)} ms wall, ${bestCpu.toFixed(1)} ms CPU`,
        });
      }
    }
    outcomes[result.outcome] = (outcomes[result.outcome] ?? 0) + 1;
    if (result.problem) {
      violations.push({
        kind: result.outcome === 'untyped' ? 'untyped-error' : 'wrong-next',
        input: input.slice(0, 200),
        detail: result.problem,
      });
    }
  }
  return {
    seed,
    count,
    outcomes,
    generators,
    maxMs,
    maxInputLength: maxInput.length,
    maxInputPreview: JSON.stringify(maxInput.slice(0, 60)),
    slowRetried,
    maxConfirmedMs,
    totalMs: performance.now() - t0,
    violations,
  };
}

/** The printed report. @param {ReturnType<typeof runCronFuzz>} r */
export function formatReport(r) {
  const lines = [
    `cron fuzz: ${r.count} inputs, seed ${r.seed}, ${(r.totalMs / 1000).toFixed(1)} s`,
    `  generators: ${Object.entries(r.generators)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
    '  outcomes:',
    ...Object.entries(r.outcomes)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `    ${k.padEnd(30)} ${String(v).padStart(7)}`),
    `  max time per input (parse + next): ${r.maxMs.toFixed(2)} ms (input of ${r.maxInputLength} chars: ${r.maxInputPreview}${r.maxInputLength > 60 ? '…' : ''}); hang threshold ${HANG_MS} ms`,
    `  first calls over ${HANG_MS} ms: ${r.slowRetried} (re-measured: slowest ${r.maxConfirmedMs.toFixed(2)} ms, so machine noise, not hangs)`,
    `  violations: ${r.violations.length}`,
    ...r.violations.slice(0, 30).map((v) => `    [${v.kind}] ${JSON.stringify(v.input)}: ${v.detail}`),
  ];
  return lines.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({
    options: {
      count: { type: 'string', default: '100000' },
      seed: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    args: process.argv.slice(2).filter((a) => a !== '--'),
  });
  const count = Number(values.count);
  if (!Number.isInteger(count) || count < 1) {
    process.stderr.write(`cron-fuzz: --count: expected a positive integer, got ${values.count}\n`);
    process.exit(2);
  }
  const result = runCronFuzz({ count, ...(values.seed ? { seed: Number(values.seed) } : {}) });
  process.stdout.write(values.json ? `${JSON.stringify(result, null, 2)}\n` : `${formatReport(result)}\n`);
  process.exit(result.violations.length > 0 ? 1 : 0);
}
