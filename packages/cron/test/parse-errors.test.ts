import { describe, expect, it } from 'vitest';
import { CronError, CronSyntaxError, parseCron } from '../src/index.js';

function syntaxErrorOf(expression: string): CronSyntaxError {
  try {
    parseCron(expression);
  } catch (error) {
    expect(error).toBeInstanceOf(CronSyntaxError);
    return error as CronSyntaxError;
  }
  throw new Error(`expected ${JSON.stringify(expression)} to be rejected`);
}

describe('parse errors name the field, the offending text and its 1-based position', () => {
  const cases: Array<[string, string, string, number, string]> = [
    // expression, field, text, position, code
    ['0 25 * * *', 'hour', '25', 3, 'CRAFT_CRON_INVALID_FIELD'],
    ['60 * * * *', 'minute', '60', 1, 'CRAFT_CRON_INVALID_FIELD'],
    ['0 0 0 * *', 'day-of-month', '0', 5, 'CRAFT_CRON_INVALID_FIELD'],
    ['0 0 32 * *', 'day-of-month', '32', 5, 'CRAFT_CRON_INVALID_FIELD'],
    ['0 0 * 13 *', 'month', '13', 7, 'CRAFT_CRON_INVALID_FIELD'],
    ['0 0 * 0 *', 'month', '0', 7, 'CRAFT_CRON_INVALID_FIELD'],
    ['0 0 * * 7', 'day-of-week', '7', 9, 'CRAFT_CRON_INVALID_FIELD'],
    ['0 0 * * 1-7', 'day-of-week', '7', 11, 'CRAFT_CRON_INVALID_FIELD'],
    ['*/70 * * * *', 'minute', '70', 3, 'CRAFT_CRON_INVALID_FIELD'],
    ['*/0 * * * *', 'minute', '0', 3, 'CRAFT_CRON_INVALID_FIELD'],
    ['0 */25 * * *', 'hour', '25', 5, 'CRAFT_CRON_INVALID_FIELD'],
    ['0 0 * * */8', 'day-of-week', '8', 11, 'CRAFT_CRON_INVALID_FIELD'],
    ['*/ * * * *', 'minute', '', 3, 'CRAFT_CRON_INVALID_FIELD'],
    ['*/x * * * *', 'minute', 'x', 3, 'CRAFT_CRON_INVALID_FIELD'],
    ['1,,2 * * * *', 'minute', '', 3, 'CRAFT_CRON_INVALID_FIELD'],
    [',1 * * * *', 'minute', '', 1, 'CRAFT_CRON_INVALID_FIELD'],
    ['0 1, * * *', 'hour', '', 5, 'CRAFT_CRON_INVALID_FIELD'],
    ['5-3 * * * *', 'minute', '5-3', 1, 'CRAFT_CRON_INVALID_FIELD'],
    ['0 0 * * FRI-MON', 'day-of-week', 'FRI-MON', 9, 'CRAFT_CRON_INVALID_FIELD'],
    ['0 0 * * 1-', 'day-of-week', '', 11, 'CRAFT_CRON_INVALID_FIELD'],
    ['1.5 * * * *', 'minute', '1.5', 1, 'CRAFT_CRON_INVALID_FIELD'],
    ['-1 * * * *', 'minute', '-', 1, 'CRAFT_CRON_INVALID_FIELD'],
    ['0 0 L * *', 'day-of-month', 'L', 5, 'CRAFT_CRON_INVALID_FIELD'],
    ['0 0 ? * *', 'day-of-month', '?', 5, 'CRAFT_CRON_INVALID_FIELD'],
    ['0 0 * * 1#2', 'day-of-week', '1#2', 9, 'CRAFT_CRON_INVALID_FIELD'],
    ['0 MON * * *', 'hour', 'MON', 3, 'CRAFT_CRON_INVALID_FIELD'],
    ['0 0 * JANUARY *', 'month', 'JANUARY', 7, 'CRAFT_CRON_INVALID_FIELD'],
    ['0 0 * * MOM', 'day-of-week', 'MOM', 9, 'CRAFT_CRON_INVALID_FIELD'],
    ['99999999999999999999 * * * *', 'minute', '99999999999999999999', 1, 'CRAFT_CRON_INVALID_FIELD'],
    ['\u0661 * * * *', 'minute', '\u0661', 1, 'CRAFT_CRON_INVALID_FIELD'], // Arabic-Indic digit one
    ['\uff11 * * * *', 'minute', '\uff11', 1, 'CRAFT_CRON_INVALID_FIELD'], // fullwidth digit one
    ['  0 25 * * *', 'hour', '25', 5, 'CRAFT_CRON_INVALID_FIELD'], // leading blanks count
    ['0\t25 * * *', 'hour', '25', 3, 'CRAFT_CRON_INVALID_FIELD'], // tabs separate fields
    ['* * * *', 'expression', '* * * *', 1, 'CRAFT_CRON_FIELD_COUNT'],
    ['', 'expression', '', 1, 'CRAFT_CRON_FIELD_COUNT'],
    ['   ', 'expression', '', 1, 'CRAFT_CRON_FIELD_COUNT'],
    ['0 0 * * * *', 'expression', '*', 11, 'CRAFT_CRON_FIELD_COUNT'],
    ['0 0 * * * 2025 x', 'expression', '2025', 11, 'CRAFT_CRON_FIELD_COUNT'],
    ['@reboot', 'expression', '@reboot', 1, 'CRAFT_CRON_UNKNOWN_MACRO'],
    ['@daily 5', 'expression', '5', 8, 'CRAFT_CRON_FIELD_COUNT'],
  ];

  for (const [expression, field, text, position, code] of cases) {
    it(`${JSON.stringify(expression)}: ${field} "${text}" at character ${position} (${code})`, () => {
      const error = syntaxErrorOf(expression);
      expect(error).toBeInstanceOf(CronError);
      expect(error.code).toBe(code);
      expect(error.field).toBe(field);
      expect(error.text).toBe(text);
      expect(error.position).toBe(position);
      expect(error.expression).toBe(expression);
      expect(error.message).toContain(`${field}: ${JSON.stringify(text)} `);
      expect(error.message).toContain(`(at character ${position})`);
    });
  }

  it('the issue example reads: hour: "25" is out of range 0-23 (at character 3)', () => {
    expect(syntaxErrorOf('0 25 * * *').message).toContain('hour: "25" is out of range 0-23 (at character 3)');
  });

  it('7 as a weekday is rejected with a message explaining ISO numbering and the converter', () => {
    const message = syntaxErrorOf('0 0 * * 7').message;
    expect(message).toContain('day-of-week: "7" is out of range 0-6 (at character 9)');
    expect(message).toContain('0 = Monday');
    expect(message).toContain('6 = Sunday');
    expect(message).toContain('fromPosix');
  });

  it('a reversed range suggests the wrapped-around list', () => {
    expect(syntaxErrorOf('0 22-2 * * *').message).toContain('"22-23,0-2"');
  });

  it('a step larger than the field span is an error, not a silent single value', () => {
    expect(syntaxErrorOf('*/70 * * * *').message).toContain('1-60');
    expect(() => parseCron('*/60 * * * *')).not.toThrow(); // span of minutes is 60 values: */60 = :00
  });

  it('non-string input throws a CronError, not a TypeError', () => {
    for (const bad of [undefined, null, 5, {}, ['* * * * *']]) {
      expect(() => parseCron(bad as unknown as string)).toThrow(CronError);
    }
  });
});
