// A small, dependency-free timing harness shared by the benchmarks in this folder.
//
// Model: a benchmark is a list of tasks. Each task measures one subject (a library) in one column (say
// "iter UTC") for one key (say an expression). `fn()` does `ops` operations and returns anything (fed to a
// sink so the work cannot be optimised away). Tasks are warmed up and calibrated, then measured in rounds.
// In each round every (column, key) group runs all its subjects back to back, in a shuffled order, so a
// noise burst on a shared machine hits every subject about equally. Per round and (subject, column) the
// rate is Σ ops / Σ time over the keys: the same fixed workload for every subject. The reported figure is
// the median over rounds; min and max are kept to show the noise.

const now = () => performance.now();

/** Keeps results alive so the JIT cannot drop the measured work. */
export const sink = { value: 0 };

/** @param {unknown} v */
export function consume(v) {
  sink.value = (sink.value + (typeof v === 'number' ? v : v == null ? 1 : 2)) | 0;
}

/** Median of a list of numbers (mean of the middle two for an even count). */
export function median(xs) {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Deterministic PRNG (mulberry32): the same seed gives the same instants and orders in every run. */
export function createRng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher–Yates shuffle into a new array. */
export function shuffled(xs, rng) {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/** Runs a full GC when node was started with --expose-gc (bench/run.mjs does that). */
export function collectGarbage() {
  if (typeof globalThis.gc === 'function') globalThis.gc();
}

function timeBatch(fn, reps) {
  const t0 = now();
  for (let i = 0; i < reps; i++) consume(fn());
  return now() - t0;
}

/**
 * Warms a task up and picks how many calls one sample makes, so that a sample lasts at least minSampleMs.
 * A task may give a cheaper `warm` function and `warmScale` (how many times more work `fn` does) so that
 * slow subjects are not run in full just to warm up.
 */
function warmAndCalibrate(task, warmupMs, minSampleMs) {
  const w = task.warm ?? task.fn;
  const scale = task.warm ? (task.warmScale ?? 1) : 1;
  let reps = 1;
  let spent = 0;
  let perCall = 0;
  for (;;) {
    const t = timeBatch(w, reps);
    spent += t;
    perCall = t / reps;
    if (spent >= warmupMs) break;
    if (t < warmupMs / 8) reps *= 4;
  }
  task.reps = Math.max(1, Math.ceil(minSampleMs / Math.max(perCall * scale, 1e-6)));
}

/**
 * @typedef {object} Task
 * @property {string} subject   row of the table (e.g. a library name)
 * @property {string} column    column of the table (e.g. "iter UTC")
 * @property {string|number} key  workload item (e.g. an expression); the rate sums over keys
 * @property {number} ops       operations one call of fn performs
 * @property {() => unknown} fn the measured work
 * @property {() => unknown} [warm]  cheaper warm-up work
 * @property {number} [warmScale]    fn's cost in units of warm's cost
 * @property {number} [rounds]  measure in at most this many rounds (slow columns)
 */

/**
 * @typedef {object} CellResult
 * @property {number[]} samples  ops/s per round
 * @property {number} median
 * @property {number} min
 * @property {number} max
 */

/**
 * Measures all tasks, interleaved. Returns Map<subject, Map<column, CellResult>>.
 * @param {Task[]} tasks
 * @param {{ rounds: number, minSampleMs?: number, warmupMs?: number, seed?: number,
 *   progress?: (msg: string) => void }} options
 */
export function runInterleaved(tasks, options) {
  const { rounds, minSampleMs = 10, warmupMs = 20, seed = 1, progress = () => {} } = options;
  const rng = createRng(seed);

  const w0 = now();
  for (const task of shuffled(tasks, rng)) warmAndCalibrate(task, warmupMs, minSampleMs);
  progress(`warmed up ${tasks.length} tasks in ${((now() - w0) / 1000).toFixed(1)} s`);

  /** @type {Map<string, Task[]>} */
  const groups = new Map();
  for (const task of tasks) {
    const g = `${task.column}\u0000${task.key}`;
    if (!groups.has(g)) groups.set(g, []);
    groups.get(g).push(task);
  }
  // time[subject\0column][round] = { ops, ms }
  const acc = new Map();
  const maxRounds = Math.max(...tasks.map((t) => t.rounds ?? rounds));
  for (let r = 0; r < maxRounds; r++) {
    const t0 = now();
    collectGarbage();
    for (const group of shuffled([...groups.values()], rng)) {
      for (const task of shuffled(group, rng)) {
        if (r >= (task.rounds ?? rounds)) continue;
        let ms = timeBatch(task.fn, task.reps);
        // The machine may have been busy during calibration: keep samples at least minSampleMs long.
        if (ms < minSampleMs / 2) {
          task.reps = Math.ceil(task.reps * (minSampleMs / Math.max(ms, 1e-3)));
          ms = timeBatch(task.fn, task.reps);
        }
        const k = `${task.subject}\u0000${task.column}`;
        if (!acc.has(k)) acc.set(k, []);
        const perRound = acc.get(k);
        perRound[r] ??= { ops: 0, ms: 0 };
        perRound[r].ops += task.ops;
        perRound[r].ms += ms / task.reps;
      }
    }
    progress(`round ${r + 1}/${maxRounds} done in ${((now() - t0) / 1000).toFixed(1)} s`);
  }

  /** @type {Map<string, Map<string, CellResult>>} */
  const out = new Map();
  for (const [k, perRound] of acc) {
    const [subject, column] = k.split('\u0000');
    const samples = perRound.filter(Boolean).map((x) => (x.ops / x.ms) * 1000);
    if (!out.has(subject)) out.set(subject, new Map());
    out.get(subject).set(column, {
      samples,
      median: median(samples),
      min: Math.min(...samples),
      max: Math.max(...samples),
    });
  }
  return out;
}
