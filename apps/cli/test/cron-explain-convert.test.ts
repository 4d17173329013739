import { describe, expect, it } from 'vitest';
import { craftJobs, lines } from './helpers.js';

describe('cron explain', () => {
  it('gives an English description and each field with its values (--json)', async () => {
    const result = await craftJobs(['cron', 'explain', '0 9 * * 0-4', '--json']);
    expect(result.status).toBe(0);
    const out = JSON.parse(result.stdout) as {
      expression: string;
      description: string;
      fields: { field: string; text: string; values: number[] }[];
    };
    expect(out.expression).toBe('0 9 * * 0-4');
    expect(out.description).toMatch(/Monday/);
    expect(out.description).toMatch(/Friday/);
    expect(out.fields).toHaveLength(5);
    const byName = Object.fromEntries(out.fields.map((f) => [f.field, f.values]));
    expect(byName['minute']).toEqual([0]);
    expect(byName['hour']).toEqual([9]);
    expect(byName['day-of-month']).toHaveLength(31);
    expect(byName['month']).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(byName['day-of-week']).toEqual([0, 1, 2, 3, 4]);
  });

  it('prints a table for people, with value ranges compacted', async () => {
    const result = await craftJobs(['cron', 'explain', '0,15,30,45 9-17 * * 0-4']);
    expect(result.status).toBe(0);
    const out = lines(result.stdout);
    expect(out[0]).toMatch(/\S/);
    expect(out[1]).toBe('');
    expect(out[2]).toMatch(/^Field\s+Meaning\s+Values$/);
    expect(out.find((l) => l.startsWith('hour'))).toMatch(/\s9-17$/);
    expect(out.find((l) => l.startsWith('minute'))).toMatch(/\s0,15,30,45$/);
    expect(out.find((l) => l.startsWith('day-of-week'))).toMatch(/\s0-4$/);
  });

  it('asks for quotes when the shell split the expression', async () => {
    const result = await craftJobs(['cron', 'explain', '0', '9', '*', '*', '0-4']);
    expect(result.status).toBe(2);
    expect(lines(result.stderr)).toHaveLength(1);
    expect(result.stderr).toContain('must be one argument; quote it');
  });

  it('rejects a bad expression with exit 2 and one line', async () => {
    const result = await craftJobs(['cron', 'explain', '*/70 * * * *']);
    expect(result.status).toBe(2);
    expect(lines(result.stderr)).toHaveLength(1);
    expect(result.stderr).toContain('minute');
  });
});

describe('cron convert', () => {
  it('translates crontab weekdays (0 = Sunday) into ISO ones (0 = Monday)', async () => {
    const result = await craftJobs(['cron', 'convert', '--from-posix', '0 9 * * 1-5']);
    expect(result).toEqual({ status: 0, stdout: '0 9 * * 0-4\n', stderr: '' });
  });

  it('translates back, and --json says which way', async () => {
    const result = await craftJobs(['cron', 'convert', '--to-posix', '0 0 * * 6', '--json']);
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      from: 'iso',
      to: 'posix',
      input: '0 0 * * 6',
      output: '0 0 * * 0',
    });
  });

  it('round-trips an expression without changing its weekdays', async () => {
    const weekdays = async (iso: string) => {
      const out = JSON.parse((await craftJobs(['cron', 'explain', iso, '--json'])).stdout) as {
        fields: { field: string; values: number[] }[];
      };
      return out.fields.find((f) => f.field === 'day-of-week')?.values;
    };
    // Crontab 0,6 is Sunday and Saturday: ISO 6 and 5.
    const iso = (await craftJobs(['cron', 'convert', '--from-posix', '30 2 * * 0,6'])).stdout.trim();
    expect(await weekdays(iso)).toEqual([5, 6]);
    const posix = (await craftJobs(['cron', 'convert', '--to-posix', iso])).stdout.trim();
    const again = (await craftJobs(['cron', 'convert', '--from-posix', posix])).stdout.trim();
    expect(await weekdays(again)).toEqual([5, 6]);
  });

  it.each([[[]], [['--from-posix', '0 0 * * 0', '--to-posix', '0 0 * * 0']]])(
    'needs exactly one direction (%j): exit 2',
    async (extra) => {
      const result = await craftJobs(['cron', 'convert', ...extra]);
      expect(result.status).toBe(2);
      expect(lines(result.stderr)).toHaveLength(1);
      expect(result.stderr).toContain('--from-posix');
    },
  );
});
