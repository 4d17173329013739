import { describe, expect, it } from 'vitest';
import { craftJobs, lines, STACK_FRAME } from './helpers.js';

interface NextJson {
  expression: string;
  timezone: string;
  from: string;
  runs: { local: string; offset: string; utc: string }[];
  skipped: { local: string; reason: string; message: string }[];
}

async function nextJson(args: string[], env?: Record<string, string>): Promise<NextJson> {
  const result = await craftJobs(['cron', 'next', ...args, '--json'], env ? { env } : {});
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return JSON.parse(result.stdout) as NextJson;
}

describe('cron next across DST in Europe/Stockholm', () => {
  // 2027-03-28: clocks jump from 02:00 CET to 03:00 CEST at 01:00 UTC, so 02:30 does not exist that day.
  const springArgs = [
    '30 2 * * *',
    '--tz',
    'Europe/Stockholm',
    '--from',
    '2027-03-26T00:00:00Z',
    '--count',
    '3',
  ];

  it('spring forward: skips the missing 02:30 slot and reports it by its wall time, with the reason', async () => {
    const out = await nextJson(springArgs);
    expect(out.timezone).toBe('Europe/Stockholm');
    expect(out.from).toBe('2027-03-26T00:00:00.000Z');
    expect(out.runs).toMatchObject([
      { local: '2027-03-26T02:30', offset: '+01:00', utc: '2027-03-26T01:30:00.000Z' },
      { local: '2027-03-27T02:30', offset: '+01:00', utc: '2027-03-27T01:30:00.000Z' },
      { local: '2027-03-29T02:30', offset: '+02:00', utc: '2027-03-29T00:30:00.000Z' },
    ]);
    expect(out.skipped).toHaveLength(1);
    expect(out.skipped[0]).toMatchObject({ local: '2027-03-28T02:30', reason: 'dst-gap' });
    expect(out.skipped[0]?.message).toMatch(/\S/);
  });

  it('spring forward, for people: the skipped slot sits between the runs, with no UTC instant', async () => {
    const result = await craftJobs(['cron', 'next', ...springArgs]);
    expect(result.status).toBe(0);
    const rows = lines(result.stdout);
    expect(rows[0]).toContain('"30 2 * * *"');
    expect(rows[0]).toContain('Europe/Stockholm');
    expect(rows[1]).toMatch(/^#\s+Local time \(Europe\/Stockholm\)\s+UTC$/);
    expect(rows.slice(2)).toHaveLength(4);
    expect(rows[2]).toMatch(/^1\s+Fri 2027-03-26 02:30 \+01:00\s+2027-03-26T01:30:00Z$/);
    expect(rows[3]).toMatch(/^2\s+Sat 2027-03-27 02:30 \+01:00\s+2027-03-27T01:30:00Z$/);
    expect(rows[4]).toMatch(/^-\s+Sun 2027-03-28 02:30\s+skipped: /);
    expect(rows[4]).not.toMatch(/\d{2}:\d{2}:\d{2}Z/);
    expect(rows[5]).toMatch(/^3\s+Mon 2027-03-29 02:30 \+02:00\s+2027-03-29T00:30:00Z$/);
  });

  it('fall back: the repeated 02:00-03:00 hour runs once, at its first occurrence', async () => {
    // 2027-10-31: clocks go back from 03:00 CEST to 02:00 CET at 01:00 UTC; 02:00 and 02:30 happen twice.
    const out = await nextJson([
      '*/30 * * * *',
      '--tz',
      'Europe/Stockholm',
      '--from',
      '2027-10-30T23:45:00Z',
      '--count',
      '5',
    ]);
    expect(out.runs).toMatchObject([
      { local: '2027-10-31T02:00', offset: '+02:00', utc: '2027-10-31T00:00:00.000Z' },
      { local: '2027-10-31T02:30', offset: '+02:00', utc: '2027-10-31T00:30:00.000Z' },
      { local: '2027-10-31T03:00', offset: '+01:00', utc: '2027-10-31T02:00:00.000Z' },
      { local: '2027-10-31T03:30', offset: '+01:00', utc: '2027-10-31T02:30:00.000Z' },
      { local: '2027-10-31T04:00', offset: '+01:00', utc: '2027-10-31T03:00:00.000Z' },
    ]);
    expect(out.skipped).toEqual([]);
  });

  it('fall back: a daily 02:30 runs exactly once on the long day', async () => {
    const out = await nextJson([
      '30 2 * * *',
      '--tz',
      'Europe/Stockholm',
      '--from',
      '2027-10-30T12:00:00Z',
      '--count',
      '2',
    ]);
    expect(out.runs.map((r) => r.utc)).toEqual(['2027-10-31T00:30:00.000Z', '2027-11-01T01:30:00.000Z']);
  });
});

describe('cron next options', () => {
  it('defaults to 10 runs in Europe/Stockholm, from --from inclusive, 15 minutes apart', async () => {
    const out = await nextJson(['*/15 * * * *', '--from', '2027-01-01T00:00:00Z']);
    expect(out.timezone).toBe('Europe/Stockholm');
    expect(out.runs).toHaveLength(10);
    expect(out.runs[0]).toMatchObject({
      local: '2027-01-01T01:00',
      offset: '+01:00',
      utc: '2027-01-01T00:00:00.000Z',
    });
    const times = out.runs.map((r) => Date.parse(r.utc));
    expect(times.every((t, i) => i === 0 || t - (times[i - 1] as number) === 15 * 60_000)).toBe(true);
  });

  it('evaluates the expression in --tz, and accepts an offset in --from', async () => {
    const out = await nextJson([
      '0 9 * * 0',
      '--tz',
      'America/New_York',
      '--from',
      '2027-07-01T00:00:00-04:00',
      '--count',
      '1',
    ]);
    // 2027-07-05 is a Monday (ISO weekday 0); New York is on EDT (-04:00).
    expect(out.runs).toMatchObject([
      { local: '2027-07-05T09:00', offset: '-04:00', utc: '2027-07-05T13:00:00.000Z' },
    ]);
  });

  it.each([
    [['--count', '0'], '--count'],
    [['--count', '1001'], '--count'],
    [['--count', 'ten'], '--count'],
    [['--from', '2027-03-28T00:00'], '--from'],
    [['--from', 'tomorrow'], '--from'],
    [['--from', '2027-02-30T00:00:00Z'], '--from'],
  ])('rejects %j with exit 2 and one line naming %s', async (extra, option) => {
    const result = await craftJobs(['cron', 'next', '0 3 * * *', ...extra]);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(lines(result.stderr)).toHaveLength(1);
    expect(result.stderr).toContain(option);
    expect(result.stderr).toContain('CRAFT_CLI_INVALID_ARGUMENT');
  });

  it('asks for quotes when the shell split the expression', async () => {
    const result = await craftJobs(['cron', 'next', '0', '3', '*', '*', '*']);
    expect(result.status).toBe(2);
    expect(lines(result.stderr)).toHaveLength(1);
    expect(result.stderr).toContain("quote it: craft-jobs cron next '0 3 * * *'");
  });
});

describe('cron errors', () => {
  it('names the field, the text and its position, exits 2, and prints no stack trace', async () => {
    const result = await craftJobs(['cron', 'next', '0 25 * * *']);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    const [line, ...rest] = lines(result.stderr);
    expect(rest).toEqual([]);
    expect(line).toContain('hour');
    expect(line).toContain('"25"');
    expect(line).toContain('character 3');
    expect(line).toContain('[CRAFT_CRON_INVALID_FIELD]');
    expect(result.stderr).not.toMatch(STACK_FRAME);
  });

  it('shows the stack trace with --verbose', async () => {
    const result = await craftJobs(['cron', 'next', '0 25 * * *', '--verbose']);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(STACK_FRAME);
    expect(result.stderr).toContain('CronSyntaxError');
  });

  it('rejects an unknown timezone given as a flag as a usage error (exit 2)', async () => {
    const result = await craftJobs(['cron', 'next', '0 3 * * *', '--tz', 'Mars/Olympus_Mons']);
    expect(result.status).toBe(2);
    expect(lines(result.stderr)).toHaveLength(1);
    expect(result.stderr).toContain('--tz');
    expect(result.stderr).toContain('Mars/Olympus_Mons');
  });

  it('rejects an unknown timezone from the environment as a configuration error (exit 4)', async () => {
    const result = await craftJobs(['cron', 'next', '0 3 * * *'], {
      env: { SCHEDULER_TIMEZONE: 'Mars/Olympus_Mons' },
    });
    expect(result.status).toBe(4);
    expect(lines(result.stderr)).toHaveLength(1);
    expect(result.stderr).toContain('SCHEDULER_TIMEZONE');
    expect(result.stderr).toContain('[CRAFT_RUNTIME_INVALID_SETTINGS]');
  });
});

describe('craft-jobs cron next with DST choices and jitter', () => {
  const base = ['cron', 'next', '--tz', 'Europe/Stockholm'];

  it('--dst-gap shift runs the missing 02:30 at 03:00 and says so', async () => {
    const result = await craftJobs([
      ...base,
      '30 2 * * *',
      '--from',
      '2027-03-27T12:00:00Z',
      '--count',
      '2',
      '--dst-gap',
      'shift',
    ]);
    expect(result.status).toBe(0);
    const rows = lines(result.stdout).slice(2);
    expect(rows[0]).toContain('Sun 2027-03-28 03:00 +02:00');
    expect(rows[0]).toContain('2027-03-28T01:00:00Z');
    expect(rows[0]).toContain('shifted: stands for 02:30');
    expect(result.stdout).not.toContain('skipped');
  });

  it('--dst-overlap both lists both occurrences of the repeated wall time, in time order', async () => {
    const result = await craftJobs([
      ...base,
      '30 2 * * *',
      '--from',
      '2027-10-30T12:00:00Z',
      '--count',
      '3',
      '--dst-overlap',
      'both',
      '--json',
    ]);
    const out = JSON.parse(result.stdout) as {
      dst_overlap: string;
      runs: { utc: string; dst: string | null }[];
    };
    expect(out.dst_overlap).toBe('both');
    expect(out.runs.map((r) => `${r.utc} ${r.dst}`)).toEqual([
      '2027-10-31T00:30:00.000Z first',
      '2027-10-31T01:30:00.000Z second',
      '2027-11-01T01:30:00.000Z null',
    ]);
  });

  it('--jitter-seconds shows the planned start and needs --job-name', async () => {
    const missing = await craftJobs([...base, '0 3 * * *', '--jitter-seconds', '60']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('--job-name');
    const result = await craftJobs([
      ...base,
      '0 3 * * *',
      '--jitter-seconds',
      '600',
      '--job-name',
      'n',
      '--json',
    ]);
    const out = JSON.parse(result.stdout) as { runs: { utc: string; due_at: string }[] };
    for (const run of out.runs) {
      const offset = Date.parse(run.due_at) - Date.parse(run.utc);
      expect(offset).toBeGreaterThanOrEqual(0);
      expect(offset).toBeLessThan(600_000);
    }
    expect(new Set(out.runs.map((r) => Date.parse(r.due_at) - Date.parse(r.utc))).size).toBeGreaterThan(1);
    expect((await craftJobs([...base, '0 3 * * *', '--dst-gap', 'later'])).status).toBe(2);
  });
});
