import { InvalidSettingsError } from '@craft/runtime';
import { FakeClock } from '@craft/scheduler';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/index.js';
import { testClock } from '../src/test-clock.js';

function problemsOf(env: Record<string, string>): { variable: string; message: string }[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidSettingsError);
    return (error as InvalidSettingsError).problems.map(({ variable, message }) => ({ variable, message }));
  }
  throw new Error('expected an InvalidSettingsError');
}

describe('CRAFT_TEST_CLOCK_SPEED / CRAFT_TEST_CLOCK_EPOCH_MS (test-only accelerated clock)', () => {
  it('default to the real speed and no epoch', () => {
    expect(loadConfig({})).toMatchObject({ testClockSpeed: 1, testClockEpochMs: undefined });
  });

  it('are read outside production', () => {
    const c = loadConfig({ CRAFT_TEST_CLOCK_SPEED: '60', CRAFT_TEST_CLOCK_EPOCH_MS: '1800000000000' });
    expect(c).toMatchObject({ testClockSpeed: 60, testClockEpochMs: 1_800_000_000_000 });
    expect(loadConfig({ CRAFT_TEST_CLOCK_SPEED: '0.5' }).testClockSpeed).toBe(0.5);
  });

  it.each([
    [{ CRAFT_TEST_CLOCK_SPEED: '0' }, 'CRAFT_TEST_CLOCK_SPEED', /0\.001 to 100000/],
    [{ CRAFT_TEST_CLOCK_SPEED: '-2' }, 'CRAFT_TEST_CLOCK_SPEED', /factor/],
    [{ CRAFT_TEST_CLOCK_SPEED: 'fast' }, 'CRAFT_TEST_CLOCK_SPEED', /factor/],
    [{ CRAFT_TEST_CLOCK_SPEED: '1e9' }, 'CRAFT_TEST_CLOCK_SPEED', /factor/],
    [{ CRAFT_TEST_CLOCK_EPOCH_MS: 'now' }, 'CRAFT_TEST_CLOCK_EPOCH_MS', /epoch milliseconds/],
  ])('%j is refused, naming %s', (env, variable, message) => {
    const problems = problemsOf(env);
    expect(problems).toHaveLength(1);
    expect(problems[0]?.variable).toBe(variable);
    expect(problems[0]?.message).toMatch(message);
  });

  it('are refused when NODE_ENV=production', () => {
    const problems = problemsOf({
      NODE_ENV: 'production',
      MONGODB_URI: 'mongodb://db',
      JWT_SECRET: 's'.repeat(40),
      CRAFT_TEST_CLOCK_SPEED: '60',
      CRAFT_TEST_CLOCK_EPOCH_MS: '1800000000000',
    });
    expect(problems).toEqual([
      { variable: 'CRAFT_TEST_CLOCK_SPEED', message: expect.stringMatching(/test-only/) },
      { variable: 'CRAFT_TEST_CLOCK_EPOCH_MS', message: expect.stringMatching(/test-only/) },
    ]);
  });
});

describe('testClock', () => {
  it('is the real clock (undefined) when neither speed nor offset is set', () => {
    expect(testClock({})).toBeUndefined();
    expect(testClock({ speed: 1, offsetMs: 0, epochMs: 5 })).toBeUndefined();
  });

  it('runs `speed` times faster from the shared epoch, plus the offset', async () => {
    const base = new FakeClock(1_000_000);
    const a = testClock({ speed: 60, epochMs: 400_000 }, base);
    const b = testClock({ speed: 60, epochMs: 400_000, offsetMs: -30_000 }, base);
    // 600 s of real time since the epoch are 600 × 60 s of scheduler time.
    expect(a?.now()).toBe(400_000 + 600_000 * 60);
    expect(b?.now()).toBe(400_000 + 600_000 * 60 - 30_000);
    await base.advance(1000);
    expect(a?.now()).toBe(400_000 + 601_000 * 60);
  });

  it('starts from the base clock when no epoch is given', () => {
    const base = new FakeClock(7_000);
    expect(testClock({ speed: 10 }, base)?.now()).toBe(7_000);
    expect(testClock({ offsetMs: 2_500 }, base)?.now()).toBe(9_500);
  });

  it('sleeps ms / speed of the base clock', async () => {
    const base = new FakeClock(0);
    const clock = testClock({ speed: 60, epochMs: 0 }, base);
    let woke = false;
    const sleeping = clock?.sleep(60_000).then(() => {
      woke = true;
    });
    await base.advance(999);
    expect(woke).toBe(false);
    await base.advance(1);
    await sleeping;
    expect(woke).toBe(true);
    expect(clock?.now()).toBe(60_000);
  });
});
