// @ts-check
// The SIGKILLs of a chaos run and the supervisor that restarts what they killed: every few seconds one process (10 %
// of the time two) is killed, 40 % of the time just after a whole minute (hour) of its own skewed schedule time — many
// slots fall due for it at once, so its claims are in flight (mid-claim) — otherwise at a random moment (often
// mid-run; some victims are still in their startup pass). A killed process comes back after a random delay, with its
// slot's skew 60 % of the time, else +skew, −skew or none.
import { setTimeout as delay } from 'node:timers/promises';

export class Killer {
  kills = { total: 0, boundary: 0, random: 0, duringStartup: 0, double: 0 };
  restarts = 0;
  /** @type {{ slot: number, pid: number, at: number, boundary: boolean, ready: boolean }[]} */
  killLog = [];
  /** @type {string[]} starts that failed other than by a kill (violations) */
  startFailures = [];
  /** Processes that exited by themselves while booting cut off from their database, and were started again. */
  startExitsWhileCutOff = 0;
  /** @type {Promise<void>[]} */
  #restarts = [];

  /**
   * @param {object} options
   * @param {import('./processes.mjs').ApiSlot[]} options.slots
   * @param {() => number} options.rnd
   * @param {[number, number]} options.gapMs real ms between two kill events
   * @param {[number, number]} options.downMs real ms a killed process stays down
   * @param {number} options.skewMs
   * @param {(slot: number) => number} options.baseSkew the slot's own skew
   * @param {number} options.readyTimeoutMs
   * @param {number} options.boundaryMs the schedule-time unit whose boundaries kills aim at (a minute, an hour)
   * @param {{ schedNow: (real?: number) => number, realAt: (sched: number) => number }} options.clock
   * @param {(slot: number, from: number, to: number) => boolean} options.dbFaulted whether the slot's database path
   *   had a fault on between two real instants
   */
  constructor(options) {
    this.o = options;
  }

  /** @param {number} a @param {number} b */
  #between(a, b) {
    return a + this.o.rnd() * (b - a);
  }

  /** Kills until real time `until`. */
  async run(/** @type {number} */ until) {
    const { slots, rnd, clock } = this.o;
    while (Date.now() < until) {
      await delay(Math.min(this.#between(...this.o.gapMs), Math.max(0, until - Date.now())));
      if (Date.now() >= until) break;
      const alive = slots.filter((s) => s.alive);
      if (alive.length === 0) continue;
      const boundary = rnd() < 0.4;
      // Mostly processes that are up and claiming; sometimes one still in its startup pass.
      const ready = alive.filter((s) => s.current?.readyAt != null);
      const pool = ready.length > 0 && rnd() < 0.85 ? ready : alive;
      const victims = [...pool].sort(() => rnd() - 0.5).slice(0, rnd() < 0.1 && pool.length > 1 ? 2 : 1);
      if (boundary) {
        // Just after the next boundary of the victim's (skewed) schedule time.
        const skew = victims[0]?.current?.skewMs ?? 0;
        const unit = this.o.boundaryMs;
        const next = Math.ceil((clock.schedNow() + skew) / unit) * unit - skew;
        const wait = clock.realAt(next) - Date.now() + this.#between(2, 150);
        if (wait > 0 && Date.now() + wait < until) await delay(wait);
      }
      if (victims.length > 1) this.kills.double++;
      for (const v of victims) {
        const inc = v.kill();
        if (!inc) continue;
        this.kills.total++;
        this.killLog.push({
          slot: v.index,
          pid: inc.pid,
          at: inc.killedAt ?? Date.now(),
          boundary,
          ready: inc.readyAt !== null,
        });
        if (boundary) this.kills.boundary++;
        else this.kills.random++;
        if (inc.readyAt === null) this.kills.duringStartup++;
        this.#restartLater(v);
      }
    }
  }

  /** Waits for the restarts in flight. */
  async settle() {
    await Promise.all(this.#restarts);
  }

  #restartLater(/** @type {import('./processes.mjs').ApiSlot} */ slot) {
    const { rnd, skewMs } = this.o;
    const p = (async () => {
      await delay(this.#between(...this.o.downMs));
      if (slot.alive) return;
      const base = this.o.baseSkew(slot.index);
      const r = rnd();
      const skew = r < 0.6 ? base : r < 0.75 ? skewMs : r < 0.9 ? -skewMs : 0;
      for (let tries = 0; ; tries++) {
        slot.start(skew);
        this.restarts++;
        try {
          await slot.waitReady(this.o.readyTimeoutMs);
          return;
        } catch (error) {
          const inc = slot.current;
          // Killed again while starting is expected.
          if (inc?.killedAt != null) return;
          // A replica that cannot reach its database while it boots exits (as `craft-api` does); its supervisor
          // starts it again. Only a finding when the database was reachable.
          if (
            inc &&
            inc.exitedAt !== null &&
            tries < 20 &&
            this.o.dbFaulted(slot.index, inc.startedAt, inc.exitedAt)
          ) {
            inc.expectedExit = true;
            this.startExitsWhileCutOff++;
            await delay(500);
            continue;
          }
          this.startFailures.push(String(error));
          return;
        }
      }
    })();
    this.#restarts.push(p);
  }
}
