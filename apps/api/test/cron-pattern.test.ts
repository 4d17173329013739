// The OpenAPI pattern of cron_expression declares the syntax the server checks: every expression @craft/cron
// accepts matches it (else a valid request would be refused by the schema), and what it refuses is refused by the
// parser too; reversed ranges and never-firing expressions are the documented remainder.
import { parseCron } from '@craft/cron';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CRON_EXPRESSION_PATTERN } from '../src/routes/cron-pattern.js';

const pattern = new RegExp(CRON_EXPRESSION_PATTERN, 'u');
const parses = (e: string) => {
  try {
    parseCron(e);
    return true;
  } catch {
    return false;
  }
};

const token = fc.oneof(
  fc.constantFrom(
    '*',
    '0',
    '5',
    '07',
    '23',
    '24',
    '31',
    '59',
    '60',
    '6',
    '7',
    '12',
    '13',
    '0000003',
    '99999',
  ),
  fc.constantFrom('jan', 'DEC', 'Mon', 'sun', 'FRI', 'monday', 'L', 'W', '#', '?', '-1', '1.5', '٣'),
);
const item = fc
  .tuple(
    token,
    fc.option(token),
    fc.option(fc.constantFrom('1', '2', '7', '12', '24', '31', '60', '61', '0', '007')),
  )
  .map(([a, b, step]) => `${a}${b === null ? '' : `-${b}`}${step === null ? '' : `/${step}`}`);
const cronField = fc.array(item, { minLength: 1, maxLength: 3 }).map((items) => items.join(','));
const blank = fc.constantFrom(' ', '  ', '\t', ' \t');
const expression = fc.oneof(
  fc
    .tuple(fc.array(cronField, { minLength: 4, maxLength: 6 }), blank, fc.constantFrom('', ' ', '\t', '\n'))
    .map(([fields, b, edge]) => `${edge}${fields.join(b)}${edge}`),
  fc.constantFrom(
    '@daily',
    '@WEEKLY',
    ' @hourly ',
    '@reboot',
    '@daily *',
    '@yearly\n',
    '@Annually',
    '@midnight',
  ),
  fc.string({ maxLength: 30 }),
);

describe('cron_expression pattern', () => {
  it('matches every expression the parser accepts, and only syntax the parser knows (100,000 generated)', () => {
    fc.assert(
      fc.property(expression, (e) => {
        if (parses(e)) expect(pattern.test(e), JSON.stringify(e)).toBe(true);
        if (!pattern.test(e)) expect(parses(e), JSON.stringify(e)).toBe(false);
      }),
      { numRuns: 100_000 },
    );
  });

  it('describes what it cannot say: reversed ranges and expressions that never fire match it and are refused', () => {
    for (const e of ['5-3 * * * *', '0 0 31 2 *', '0 0 * * sun-mon']) {
      expect(pattern.test(e), e).toBe(true);
      expect(parses(e), e).toBe(false);
    }
    for (const e of [
      '0 3 * * *',
      '*/15 * * * *',
      '0 9 * * 0-4',
      '0 0 * * MON-FRI/2',
      '@weekly',
      '30 2 * * 5',
    ]) {
      expect(pattern.test(e), e).toBe(true);
    }
  });
});
