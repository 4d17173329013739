// FixedWindowCounter (the rate limiter's counts): windows per key, their reset, and the bound on keys kept.
import { describe, expect, it } from 'vitest';
import { FixedWindowCounter } from '../src/rate-limit/fixed-window.js';

function counter(maxKeys?: number) {
  let now = 1_000_000;
  const c = new FixedWindowCounter({ windowMs: 60_000, now: () => now, ...(maxKeys ? { maxKeys } : {}) });
  return { c, advance: (ms: number) => (now += ms) };
}

describe('FixedWindowCounter', () => {
  it("counts a key's requests in the window its first request starts, and starts a new one when it ends", () => {
    const { c, advance } = counter();
    expect(c.hit('a')).toEqual({ count: 1, resetInMs: 60_000 });
    advance(20_000);
    expect(c.hit('a')).toEqual({ count: 2, resetInMs: 40_000 });
    expect(c.hit('b')).toEqual({ count: 1, resetInMs: 60_000 });
    advance(39_999);
    expect(c.hit('a')).toEqual({ count: 3, resetInMs: 1 });
    advance(1);
    // The window's end belongs to the next window.
    expect(c.hit('a')).toEqual({ count: 1, resetInMs: 60_000 });
    expect(c.hit('b')).toEqual({ count: 2, resetInMs: 20_000 });
  });

  it('keeps at most maxKeys keys, dropping the one whose window started longest ago', () => {
    const { c, advance } = counter(3);
    c.hit('a');
    advance(1000);
    c.hit('b');
    advance(1000);
    c.hit('c');
    advance(58_000);
    // a's window ended: its new window moves it behind c, so b is now the oldest
    expect(c.hit('a')).toEqual({ count: 1, resetInMs: 60_000 });
    c.hit('d');
    expect(c.size).toBe(3);
    expect(c.hit('b').count).toBe(1); // b was dropped, and dropping c made room for it again
    expect(c.hit('a').count).toBe(2);
    expect(c.hit('d').count).toBe(2);
  });
});
