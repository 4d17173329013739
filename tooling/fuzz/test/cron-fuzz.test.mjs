// 10^5 random and mutated cron expressions against the built @craft/cron: only typed errors, no hang.
import { CronError, parseCron } from '@craft/cron';
import { describe, expect, it } from 'vitest';
import { checkOne, createRng, generate, runCronFuzz, SEEDS } from '../cron-fuzz.mjs';

describe('cron parser fuzz', () => {
  it('100,000 inputs: only CronError subclasses with known codes, none slower than 50 ms, next runs that match', () => {
    const seed = process.env.CRAFT_FUZZ_SEED ? Number(process.env.CRAFT_FUZZ_SEED) : undefined;
    const r = runCronFuzz({ count: 100_000, ...(seed === undefined ? {} : { seed }) });
    process.stderr.write(
      `cron fuzz: seed ${r.seed}, ${JSON.stringify(r.outcomes)}, max ${r.maxMs.toFixed(1)} ms (re-measured ${r.maxConfirmedMs.toFixed(1)} ms)\n`,
    );
    expect(r.violations).toEqual([]);
    expect(r.count).toBe(100_000);
    // The mix reaches valid expressions and every syntax error path, not just one kind of rejection.
    expect(r.outcomes.valid).toBeGreaterThan(1000);
    for (const code of ['CRAFT_CRON_INVALID_FIELD', 'CRAFT_CRON_FIELD_COUNT', 'CRAFT_CRON_UNKNOWN_MACRO']) {
      expect(r.outcomes[code], code).toBeGreaterThan(100);
    }
    expect(r.generators.huge).toBeGreaterThan(100);
  });

  it('every seed expression is valid, and the generator is deterministic per seed', () => {
    for (const s of SEEDS) expect(() => parseCron(s), s).not.toThrow();
    const a = createRng(42);
    const b = createRng(42);
    const first = Array.from({ length: 50 }, () => generate(a));
    expect(Array.from({ length: 50 }, () => generate(b))).toEqual(first);
  });

  it('checkOne tells typed errors, valid expressions and wrong answers apart', () => {
    const rnd = createRng(1);
    expect(checkOne('*/15 * * * *', rnd)).toEqual({ outcome: 'valid' });
    expect(checkOne('61 * * * *', rnd)).toEqual({ outcome: 'CRAFT_CRON_INVALID_FIELD' });
    expect(checkOne('* * *', rnd)).toEqual({ outcome: 'CRAFT_CRON_FIELD_COUNT' });
    expect(checkOne('0 0 30 2 *', rnd).outcome).toBe('CRAFT_CRON_NEVER_FIRES');
    const e = (() => {
      try {
        parseCron('*/70 * * * *');
      } catch (error) {
        return error;
      }
    })();
    expect(e).toBeInstanceOf(CronError);
  });
});
