// The memory store's due index against a plain scan of the same writes (seeded random operations).
import { describe, expect, it } from 'vitest';
import { DueIndex } from '../src/memory/due-index.js';

/** A seeded pseudo-random source (mulberry32): the same seed replays the same operations. */
function random(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

/** The answer of a scan: undated first (by name), then due instant, then name. */
function scan(model: Map<string, number | null>, t: number, limit: number): string[] {
  const undated = [...model].filter(([, at]) => at === null).map(([n]) => n);
  const dated = [...model].filter((e): e is [string, number] => e[1] !== null && e[1] <= t);
  dated.sort((x, y) => x[1] - y[1] || (x[0] < y[0] ? -1 : 1));
  return [...undated.sort(), ...dated.map(([n]) => n)].slice(0, Math.max(0, limit));
}

describe('DueIndex (memory store)', () => {
  it('answers due() and earliest() exactly as a scan of the same writes (300 random sequences)', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const pick = random(seed);
      const index = new DueIndex();
      const model = new Map<string, number | null>();
      for (let step = 0; step < 200; step++) {
        const roll = pick(10);
        const where = `seed ${seed}, step ${step}`;
        if (roll < 6) {
          const name = 'abcdefgh'[pick(8)] as string;
          const kind = pick(6);
          const at = kind === 0 ? null : kind === 1 ? undefined : pick(51);
          index.set(name, at);
          if (at === undefined) model.delete(name);
          else model.set(name, at);
        } else if (roll < 9) {
          const t = pick(57) - 1;
          const limit = pick(11);
          expect(index.due(t, limit), where).toEqual(scan(model, t, limit));
        } else {
          const dated = [...model.values()].filter((v): v is number => v !== null);
          expect(index.earliest(), where).toBe(dated.length === 0 ? null : Math.min(...dated));
        }
      }
    }
  });

  it('keeps its heap bounded when one schedule is rescheduled many times', () => {
    const index = new DueIndex();
    for (let i = 0; i < 100_000; i++) index.set('only', i);
    expect(index.due(Number.POSITIVE_INFINITY, 10)).toEqual(['only']);
    expect(index.earliest()).toBe(99_999);
    // Stale entries are dropped: the heap holds at most 2 × live + 1,024 entries.
    expect(index.heapSize).toBeLessThanOrEqual(2 + 1024);
  });
});
