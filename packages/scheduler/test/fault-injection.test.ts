// The fault-injecting wrapper of @craft/scheduler/testing: each action does what its name says, and calls are recorded.
import { describe, expect, it } from 'vitest';
import { FakeClock, MemoryLock, MemoryStore } from '../src/index.js';
import {
  faultyLock,
  faultyStore,
  InjectedFaultError,
  injectFaults,
  sampleRun,
} from '../src/testing/index.js';

const settled = async <T>(p: Promise<T>) => {
  let state = 'pending';
  p.then(
    () => {
      state = 'resolved';
    },
    () => {
      state = 'rejected';
    },
  );
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  return state;
};

describe('injectFaults', () => {
  it('fails the nth matching call without reaching the target, and records every call', async () => {
    const store = faultyStore(new MemoryStore());
    store.inject({ method: 'insertRun', action: 'fail', nth: 2 });
    const [a, b, c] = [sampleRun(), sampleRun(), sampleRun()];
    expect(await store.target.insertRun(a)).toBe(true);
    await expect(store.target.insertRun(b)).rejects.toBeInstanceOf(InjectedFaultError);
    expect(await store.target.insertRun(c)).toBe(true);
    expect(await store.target.getRun(b.id)).toBeNull(); // never arrived
    expect(store.callsOf('insertRun').map((x) => `${x.fault} ${x.outcome}`)).toEqual([
      'null ok',
      'fail error',
      'null ok',
    ]);
    expect(store.calls.map((x) => x.method)).toEqual(['insertRun', 'insertRun', 'insertRun', 'getRun']);
  });

  it('fail-after takes effect and then throws (a lost acknowledgement); `when` selects by arguments', async () => {
    const store = faultyStore(new MemoryStore());
    const run = sampleRun();
    await store.target.insertRun(run);
    const rule = store.inject({
      method: 'updateRun',
      action: 'fail-after',
      when: ([, update]) => (update as { set?: { status?: string } }).set?.status === 'succeeded',
      error: new Error('socket closed'),
    });
    await store.target.updateRun(run.id, { set: { result: 1 } }); // not selected
    await expect(store.target.updateRun(run.id, { set: { status: 'succeeded' } })).rejects.toThrow(
      'socket closed',
    );
    expect((await store.target.getRun(run.id))?.status).toBe('succeeded');
    expect(rule.hits).toBe(1);
  });

  it('hang holds the call until released (then sends it); hang-after sends it and withholds the answer', async () => {
    const lock = faultyLock(new MemoryLock());
    const hang = lock.inject({ method: 'acquire', action: 'hang', nth: 1 });
    const first = lock.target.acquire('k', 'a', 60_000);
    expect(await settled(first)).toBe('pending');
    expect(await lock.target.inspect('k')).toBeNull(); // not sent yet
    hang.release();
    expect((await first)?.owner).toBe('a');

    const after = lock.inject({ method: 'release', action: 'hang-after' });
    const lease = await first;
    const released = lock.target.release(lease as NonNullable<typeof lease>);
    expect(await settled(released)).toBe('pending');
    expect(await lock.target.inspect('k')).toBeNull(); // sent and applied: the lock is free
    after.release();
    expect(await released).toBe(true);
  });

  it('delays calls on the given clock; clear() releases everything', async () => {
    const clock = new FakeClock(0);
    const store = injectFaults(new MemoryStore({ clock }), { clock });
    store.inject({ method: 'getSchedule', action: 'delay', delayMs: 500 });
    const p = store.target.getSchedule('x');
    expect(await settled(p)).toBe('pending');
    await clock.advance(499);
    expect(await settled(p)).toBe('pending');
    await clock.advance(1);
    expect(await p).toBeNull();
    store.inject({ method: 'getRun', action: 'hang' });
    const hung = store.target.getRun('x');
    store.clear();
    expect(await hung).toBeNull();
    expect(await store.target.getRun('x')).toBeNull(); // no rule left
  });

  it('fails a fraction of calls at random, replayed exactly from the same seed', async () => {
    const pattern = async (seed: number) => {
      const store = faultyStore(new MemoryStore(), { seed });
      store.inject({ method: 'countRuns', action: 'fail', probability: 0.3 });
      const out: string[] = [];
      for (let i = 0; i < 200; i++) {
        out.push(
          await store.target.countRuns().then(
            () => '.',
            () => 'x',
          ),
        );
      }
      return out.join('');
    };
    const a = await pattern(42);
    expect(await pattern(42)).toBe(a);
    expect(await pattern(7)).not.toBe(a);
    const failures = [...a].filter((c) => c === 'x').length;
    expect(failures).toBeGreaterThan(30);
    expect(failures).toBeLessThan(90);
  });

  it('applies `from` and `times`, and remove() stops a rule', async () => {
    const store = faultyStore(new MemoryStore());
    const rule = store.inject({ method: 'countRuns', action: 'fail', from: 2, times: 2 });
    const results: string[] = [];
    for (let i = 0; i < 5; i++) results.push(await store.target.countRuns().then(String, () => 'x'));
    expect(results).toEqual(['0', 'x', 'x', '0', '0']);
    const again = store.inject({ method: 'countRuns', action: 'fail' });
    again.remove();
    expect(await store.target.countRuns()).toBe(0);
    expect(rule.hits).toBe(2);
  });
});
