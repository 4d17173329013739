// @ts-check
// What a chaos run registers and how hard it shakes: the schedule mixes (cron shapes, zones, policies) and the named
// profiles of `run.mjs --profile` (the CI run, the classic run, the week-scale proof).
import { CHAIN_TYPES } from './jobs-fixture.mjs';

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

/**
 * Cron shapes and their weights. `minutes`: every minute to every two hours (for 60×, hours of schedule time);
 * `days`: every 15 minutes to daily (for 600× and faster, days to a week of schedule time).
 * @type {Record<'minutes' | 'days', [string, number][]>}
 */
export const CRON_MIXES = {
  minutes: [
    ['* * * * *', 4],
    ['*/2 * * * *', 10],
    ['*/3 * * * *', 8],
    ['*/5 * * * *', 20],
    ['*/10 * * * *', 18],
    ['15/30 * * * *', 10],
    ['0-30/10 * * * *', 10],
    ['7,19,43 * * * *', 10],
    ['0 * * * *', 5],
    ['30 */2 * * *', 5],
  ],
  days: [
    ['*/15 * * * *', 1],
    ['5/30 * * * *', 2],
    ['0 * * * *', 4],
    ['20 * * * *', 4],
    ['0 */2 * * *', 10],
    ['45 */3 * * *', 10],
    ['10 */4 * * *', 12],
    ['30 */6 * * *', 15],
    ['0 9,21 * * *', 15],
    ['0 0 * * *', 10],
    ['30 7 * * *', 10],
    ['15 2 * * 1-5', 7],
  ],
};

/**
 * The schedule bodies of a run (REST field names), varied in cron, zone, policy, window, job type and chain.
 * @param {number} count @param {() => number} rnd
 * @param {{ mix?: 'minutes' | 'days', longShare?: number }} [options] `longShare`: share of `chaos_long` schedules
 */
export function scheduleBodies(count, rnd, options = {}) {
  const crons = CRON_MIXES[options.mix ?? 'minutes'];
  const longShare = options.longShare ?? 0;
  const total = crons.reduce((s, [, w]) => s + w, 0);
  const pick = () => {
    let x = rnd() * total;
    for (const [cron, w] of crons) {
      x -= w;
      if (x < 0) return cron;
    }
    return crons[0]?.[0] ?? '0 * * * *';
  };
  /** @type {Record<string, unknown>[]} */
  const out = [];
  for (let i = 0; i < count; i++) {
    const r = rnd();
    const policy = r < 0.5 ? 'once' : r < 0.75 ? 'all' : 'skip';
    const j = rnd();
    const jobType =
      j < longShare
        ? 'chaos_long'
        : j < longShare + 0.1
          ? 'chaos_flaky'
          : j < longShare + 0.23
            ? 'chaos_noop'
            : 'chaos_sleep';
    /** @type {Record<string, unknown>} */
    const body = {
      job_name: `chaos-${String(i).padStart(4, '0')}`,
      description: 'chaos harness schedule',
      cron_expression: pick(),
      job_type: jobType,
      parameters: {},
      missed_run_policy: policy,
      timezone: rnd() < 0.2 ? 'Asia/Kolkata' : null,
      max_attempts: 3,
    };
    if (policy === 'all') body.max_catch_up_runs = 1 + Math.floor(rnd() * 4);
    if (rnd() < 0.2) body.catch_up_window_seconds = 120 + Math.floor(rnd() * 600);
    if (rnd() < 0.1) body.chain = [CHAIN_TYPES[Math.floor(rnd() * CHAIN_TYPES.length)]];
    out.push(body);
  }
  return out;
}

/**
 * @typedef {object} Profile
 * @property {string} description
 * @property {number} durationMs real time of the chaos phase
 * @property {number} processes
 * @property {number} schedules
 * @property {number} speed
 * @property {number} pollIntervalSeconds scheduler seconds (about one real second at the profile's speed)
 * @property {'minutes' | 'days'} mix
 * @property {number} longShare share of `chaos_long` schedules
 * @property {[number, number]} killGapMs
 * @property {[number, number]} faultGapMs real ms between two database faults or stalls
 * @property {boolean} eachKindFirst every fault kind at least once
 * @property {number} readyTimeoutMs how long a (re)starting process may take to answer /health
 * @property {number} quietMaxMs most real time the quiet period waits for the backlog to settle
 */

/** A simulated week at 600×, in real ms. */
const WEEK_AT_600 = (7 * 24 * 3600 * 1000) / 600;

/** @type {Record<'classic' | 'short' | 'week', Profile>} */
export const PROFILES = {
  classic: {
    description:
      '5 minutes of real time at 60× (5 hours), 5 processes, 300 schedules, every minute to every 2 hours',
    durationMs: 5 * 60_000,
    processes: 5,
    schedules: 300,
    speed: 60,
    pollIntervalSeconds: 60,
    mix: 'minutes',
    longShare: 0.03,
    killGapMs: [700, 3000],
    faultGapMs: [1500, 5000],
    eachKindFirst: true,
    readyTimeoutMs: 120_000,
    quietMaxMs: 80_000,
  },
  short: {
    description:
      'the run in `pnpm test`: a simulated day (60 s at 1440×), 2 processes, 40 schedules, every fault kind',
    durationMs: 60_000,
    processes: 2,
    schedules: 40,
    speed: 1440,
    pollIntervalSeconds: 1200,
    mix: 'days',
    longShare: 0.1,
    killGapMs: [7000, 15000],
    faultGapMs: [2500, 5000],
    eachKindFirst: true,
    readyTimeoutMs: 120_000,
    quietMaxMs: 80_000,
  },
  week: {
    description:
      'the proof: a simulated week (16.8 min at 600×), 5 processes, 1,000 schedules, every 15 min to daily',
    durationMs: WEEK_AT_600,
    processes: 5,
    schedules: 1000,
    speed: 600,
    pollIntervalSeconds: 600,
    mix: 'days',
    longShare: 0.03,
    killGapMs: [20_000, 60_000],
    faultGapMs: [3000, 8000],
    eachKindFirst: true,
    readyTimeoutMs: 600_000,
    quietMaxMs: 600_000,
  },
};

/**
 * The `runChaos` options of a profile, with overrides (`speed` also scales the poll interval, which stays about one
 * real second).
 * @param {Profile} profile
 * @param {import('./harness.mjs').ChaosOptions} [overrides]
 * @returns {import('./harness.mjs').ChaosOptions}
 */
export function profileOptions(profile, overrides = {}) {
  const speed = overrides.speed ?? profile.speed;
  return {
    durationMs: profile.durationMs,
    processes: profile.processes,
    schedules: profile.schedules,
    speed,
    pollIntervalSeconds: Math.max(
      1,
      Math.min(3600, Math.round((profile.pollIntervalSeconds * speed) / profile.speed)),
    ),
    mix: profile.mix,
    longShare: profile.longShare,
    killGapMs: profile.killGapMs,
    faultGapMs: profile.faultGapMs,
    eachKindFirst: profile.eachKindFirst,
    readyTimeoutMs: profile.readyTimeoutMs,
    quietMaxMs: profile.quietMaxMs,
    ...overrides,
  };
}
