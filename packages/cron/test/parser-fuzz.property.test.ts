import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CronError, describeCron, describeFields, fromPosix, parseCron, toPosix } from '../src/index.js';
import { refCronArb } from './support/reference.js';

/** Runs `fn` and checks it either returns or throws a CronError; returns whether it threw. */
function onlyCronErrors(fn: () => unknown): boolean {
  try {
    fn();
    return false;
  } catch (error) {
    if (!(error instanceof CronError)) throw error;
    expect(error.code).toMatch(/^CRAFT_CRON_[A-Z_]+$/);
    return true;
  }
}

const ALPHABET = [...'0123456789*/-, \t@LW#?abcdefjmnorstuyADEFJMNOSTU\u0661\uff11\n.+'];
const cronish = fc.array(fc.constantFrom(...ALPHABET), { maxLength: 40 }).map((a) => a.join(''));

/** Valid expressions with small edits: a character inserted, deleted or replaced. */
const mutated = fc
  .tuple(refCronArb, fc.nat(), fc.constantFrom(...ALPHABET), fc.constantFrom('insert', 'delete', 'replace'))
  .map(([ref, at, ch, op]) => {
    const s = ref.text;
    const i = s.length === 0 ? 0 : at % (s.length + 1);
    if (op === 'insert') return s.slice(0, i) + ch + s.slice(i);
    if (op === 'delete') return s.slice(0, i) + s.slice(i + 1);
    return s.slice(0, i) + ch + s.slice(i + 1);
  });

describe('parser fuzz: no input hangs or throws anything but a CronError', () => {
  it('random strings of any characters', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (s) => {
        onlyCronErrors(() => parseCron(s));
        onlyCronErrors(() => fromPosix(s));
      }),
      { numRuns: 1500 },
    );
  });

  it('random strings over the cron alphabet', () => {
    fc.assert(
      fc.property(cronish, (s) => {
        onlyCronErrors(() => parseCron(s));
        onlyCronErrors(() => toPosix(s));
      }),
      { numRuns: 3000 },
    );
  });

  it('mutations of valid expressions: errors carry a position inside the text, successes can describe and run', () => {
    fc.assert(
      fc.property(mutated, (s) => {
        let parsed: ReturnType<typeof parseCron> | undefined;
        const threw = onlyCronErrors(() => {
          parsed = parseCron(s);
        });
        if (threw) {
          try {
            parseCron(s);
          } catch (error) {
            const e = error as { position?: number };
            if (e.position !== undefined) {
              expect(e.position).toBeGreaterThanOrEqual(1);
              expect(e.position).toBeLessThanOrEqual(s.length + 1);
            }
          }
          return;
        }
        expect(parsed).toBeDefined();
        expect(parseCron(parsed!.normalized).normalized).toBe(parsed!.normalized);
        onlyCronErrors(() => describeCron(parsed!));
        expect(describeFields(parsed!)).toHaveLength(5);
        expect(parsed!.next(Date.UTC(2025, 0, 1), { timezone: 'UTC' })).not.toBeNull();
      }),
      { numRuns: 1500 },
    );
  });

  it('huge inputs are handled in linear time', () => {
    const many = `${Array.from({ length: 20_000 }, (_, i) => i % 60).join(',')} * * * *`;
    expect(parseCron(many).compiled.minLo).toBe(-1);
    expect(onlyCronErrors(() => parseCron(`${'9'.repeat(100_000)} * * * *`))).toBe(true);
    expect(onlyCronErrors(() => parseCron(' '.repeat(100_000)))).toBe(true);
  });
});
