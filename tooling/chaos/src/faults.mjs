// @ts-check
// The database faults and stalls of a chaos run: while the chaos phase lasts, every few seconds one replica gets one
// fault, through its fault proxy (src/fault-proxy.mjs) or its process (SIGSTOP/SIGCONT), for a drawn duration:
//
//   latency    a latency spike: 100–1500 ms per chunk each way (often past the engine's call bound, TTL/6)
//   reset      every connection of the replica reset at once
//   refuse     cut off: connections refused and reset, for a short while (retries bridge it) or past the lease
//   blackhole  cut off: nothing moves (calls hang); then the held bytes arrive late, or every connection is reset
//   hang       answers held (requests, writes included, still reach the server); then delivered late, or reset: an
//              applied write whose acknowledgement is lost
//   stall      the process frozen (SIGSTOP) past its lease (sometimes less), then SIGCONT
//
// Durations are in units of the lease (real time), so the same plan means the same thing for any LOCK_TTL_SECONDS.
// At most `maxDisabled` replicas are cut off or frozen at once, so the cluster keeps making progress.
import { setTimeout as delay } from 'node:timers/promises';

/** The fault kinds, in the order the report lists them. */
export const FAULT_KINDS = /** @type {const} */ ([
  'latency',
  'reset',
  'refuse',
  'blackhole',
  'hang',
  'stall',
]);

/** @typedef {typeof FAULT_KINDS[number]} FaultKind */

/** Relative frequency of each kind. */
const WEIGHTS = /** @type {Record<FaultKind, number>} */ ({
  latency: 3,
  reset: 2,
  refuse: 1.5,
  blackhole: 1.5,
  hang: 2,
  stall: 1,
});
/** Kinds that take a replica out (cut off or frozen): they count against `maxDisabled`. */
const DISABLING = new Set(['refuse', 'blackhole', 'stall']);

/**
 * @typedef {object} FaultEvent one injected fault
 * @property {FaultKind} kind
 * @property {number} slot the replica slot
 * @property {number | null} pid the process it hit (null when none was running)
 * @property {number} at real epoch ms it began
 * @property {number | null} until real epoch ms it ended (null while on; `at` for a reset)
 * @property {boolean} pastLease whether it lasted longer than the lease
 * @property {string} detail what exactly (latency, how it ended)
 */

export class FaultInjector {
  /** @type {FaultEvent[]} */
  events = [];
  /** @type {Set<number>} slots with a proxy fault on */
  #proxyBusy = new Set();
  /** @type {Map<number, number>} slots cut off or frozen (how many such faults each has on) */
  #disabledCount = new Map();
  /** @type {Promise<void>[]} */
  #ending = [];

  /**
   * @param {object} options
   * @param {import('./processes.mjs').ApiSlot[]} options.slots
   * @param {import('./fault-proxy.mjs').FaultProxy[]} options.proxies one per slot (same index)
   * @param {() => number} options.rnd
   * @param {number} options.leaseMs the lease (real ms)
   * @param {[number, number]} options.gapMs real ms between two faults
   * @param {FaultKind[]} [options.kinds] the kinds to inject (default all)
   * @param {boolean} [options.eachKindFirst] inject every kind once, in a random order, before drawing at random
   * @param {number} [options.maxDisabled] replicas cut off or frozen at once (default max(1, ⌊(n − 1) / 2⌋))
   * @param {(line: string) => void} [options.log]
   */
  constructor(options) {
    this.slots = options.slots;
    this.proxies = options.proxies;
    this.rnd = options.rnd;
    this.leaseMs = options.leaseMs;
    this.gapMs = options.gapMs;
    this.kinds = options.kinds ?? [...FAULT_KINDS];
    this.maxDisabled = options.maxDisabled ?? Math.max(1, Math.floor((options.slots.length - 1) / 2));
    this.log = options.log ?? (() => {});
    /** @type {FaultKind[]} */
    this.first = options.eachKindFirst ? [...this.kinds].sort(() => this.rnd() - 0.5) : [];
    /** Kinds still owed under `eachKindFirst`. */
    this.owed = new Set(this.first);
  }

  /** Injects faults until real time `until` (then ends the ones still on). */
  async run(/** @type {number} */ until) {
    while (Date.now() < until) {
      const [lo, hi] = this.gapMs;
      await delay(Math.min(lo + this.rnd() * (hi - lo), Math.max(0, until - Date.now())));
      if (Date.now() >= until) break;
      this.#injectOne(Math.max(0, until - Date.now()));
    }
    await this.healAll();
  }

  /** Ends every fault still on (SIGCONT, proxies healed) and waits for the ends in flight. */
  async healAll() {
    await Promise.all(this.#ending);
    for (const s of this.slots) s.thaw();
    await Promise.all(this.proxies.map((p) => p.heal()));
  }

  /** Counts per kind, how many lasted past the lease, and how the cut-offs and hangs ended. */
  counts() {
    /** @type {Record<string, number>} */
    const byKind = Object.fromEntries(FAULT_KINDS.map((k) => [k, 0]));
    let pastLease = 0;
    for (const e of this.events) {
      byKind[e.kind] = (byKind[e.kind] ?? 0) + 1;
      if (e.pastLease) pastLease++;
    }
    const endedByReset = this.events.filter((e) => e.detail.includes('then reset')).length;
    return { total: this.events.length, byKind, pastLease, endedByReset };
  }

  #draw() {
    const next = this.first.shift();
    if (next) return next;
    const total = this.kinds.reduce((s, k) => s + WEIGHTS[k], 0);
    let x = this.rnd() * total;
    for (const k of this.kinds) {
      x -= WEIGHTS[k];
      if (x < 0) return k;
    }
    return /** @type {FaultKind} */ (this.kinds[0]);
  }

  /** A duration in leases: past the lease with probability `pLong`, else a fraction of it. */
  #duration(
    /** @type {number} */ pLong,
    /** @type {[number, number]} */ long,
    /** @type {[number, number]} */ short,
  ) {
    const [lo, hi] = this.rnd() < pLong ? long : short;
    return Math.round((lo + this.rnd() * (hi - lo)) * this.leaseMs);
  }

  #injectOne(/** @type {number} */ leftMs) {
    const kind = this.#draw();
    const disabling = DISABLING.has(kind);
    const eligible = (/** @type {import('./processes.mjs').ApiSlot} */ s) =>
      kind === 'stall'
        ? s.alive && !s.stopped && s.current?.readyAt != null && !this.#disabledCount.has(s.index)
        : !this.#proxyBusy.has(s.index) && !(disabling && this.#disabledCount.has(s.index));
    const full = disabling && this.#disabledCount.size >= this.maxDisabled;
    const allowed = full ? [] : this.slots.filter(eligible);
    const slot = allowed[Math.floor(this.rnd() * allowed.length)];
    if (!slot) {
      // Nothing may take this kind now; put it back if it was owed (every kind at least once).
      if (this.owed.has(kind)) this.first.unshift(kind);
      return;
    }
    this.owed.delete(kind);
    const proxy = /** @type {import('./fault-proxy.mjs').FaultProxy} */ (this.proxies[slot.index]);
    const pid = slot.alive ? (slot.current?.pid ?? null) : null;
    /** @type {FaultEvent} */
    const event = { kind, slot: slot.index, pid, at: Date.now(), until: null, pastLease: false, detail: '' };
    // Never longer than what is left of the chaos phase plus one lease: the quiet period starts healed.
    const cap = (/** @type {number} */ ms) => Math.min(ms, leftMs + this.leaseMs);
    /** @type {(() => Promise<void> | void) | null} */
    let end = null;
    let ms = 0;
    switch (kind) {
      case 'latency': {
        const latency = Math.round(100 + this.rnd() * 1400);
        ms = cap(this.#duration(0, [0, 0], [0.4, 2]));
        proxy.setLatency(latency, latency / 4);
        event.detail = `${latency} ms ± 25 % for ${ms} ms`;
        end = () => proxy.setLatency(0);
        break;
      }
      case 'reset': {
        const n = proxy.resetAll();
        event.until = event.at;
        event.detail = `${n} connections reset`;
        break;
      }
      case 'refuse': {
        ms = cap(this.#duration(0.5, [1.2, 2.4], [0.2, 0.8]));
        void proxy.refuse();
        event.detail = `refused for ${ms} ms`;
        end = () => proxy.accept();
        break;
      }
      case 'blackhole':
      case 'hang': {
        ms = cap(
          kind === 'hang'
            ? this.#duration(0.3, [1.1, 1.6], [0.1, 0.9])
            : this.#duration(0.5, [1.2, 2.4], [0.2, 0.8]),
        );
        const reset = this.rnd() < 0.5;
        proxy.hold(kind === 'hang' ? { down: true } : { up: true, down: true });
        event.detail = `${kind === 'hang' ? 'answers held' : 'nothing moved'} for ${ms} ms, then ${reset ? 'reset' : 'delivered'}`;
        end = () => proxy.release({ reset });
        break;
      }
      case 'stall': {
        ms = cap(this.#duration(0.7, [1.1, 2], [0.1, 0.6]));
        slot.freeze();
        event.detail = `SIGSTOP for ${ms} ms`;
        end = () => {
          slot.thaw();
        };
        break;
      }
    }
    event.pastLease = ms > this.leaseMs;
    this.events.push(event);
    if (!end) return;
    const busy = kind === 'stall' ? null : this.#proxyBusy;
    busy?.add(slot.index);
    if (disabling) this.#disabledCount.set(slot.index, (this.#disabledCount.get(slot.index) ?? 0) + 1);
    const stop = end;
    this.#ending.push(
      (async () => {
        await delay(ms);
        await stop();
        event.until = Date.now();
        busy?.delete(slot.index);
        if (disabling) {
          const n = (this.#disabledCount.get(slot.index) ?? 1) - 1;
          if (n > 0) this.#disabledCount.set(slot.index, n);
          else this.#disabledCount.delete(slot.index);
        }
      })(),
    );
  }
}
