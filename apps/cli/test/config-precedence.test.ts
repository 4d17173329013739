import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { craftJobs, dirWith, lines } from './helpers.js';

// `cron next --json` reports the zone it used, which makes the timezone setting observable end to end.
async function zoneUsed(args: string[], options: { env?: Record<string, string>; cwd?: string }) {
  const result = await craftJobs(['cron', 'next', '0 3 * * *', '--count', '1', '--json', ...args], options);
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return (JSON.parse(result.stdout) as { timezone: string }).timezone;
}

describe('configuration precedence: flag, then environment, then config file, then default', () => {
  const file = JSON.stringify({ timezone: 'Asia/Tokyo' });

  it('uses the default when nothing is set', async () => {
    expect(await zoneUsed([], {})).toBe('Europe/Stockholm');
  });

  it('the config file beats the default', async () => {
    expect(await zoneUsed([], { cwd: dirWith({ 'craft.config.json': file }) })).toBe('Asia/Tokyo');
  });

  it('the environment beats the config file', async () => {
    const cwd = dirWith({ 'craft.config.json': file });
    expect(await zoneUsed([], { cwd, env: { SCHEDULER_TIMEZONE: 'America/New_York' } })).toBe(
      'America/New_York',
    );
  });

  it('the flag beats the environment and the config file', async () => {
    const cwd = dirWith({ 'craft.config.json': file });
    const env = { SCHEDULER_TIMEZONE: 'America/New_York' };
    expect(await zoneUsed(['--tz', 'Australia/Lord_Howe'], { cwd, env })).toBe('Australia/Lord_Howe');
  });

  it('an empty environment variable counts as unset', async () => {
    const cwd = dirWith({ 'craft.config.json': file });
    expect(await zoneUsed([], { cwd, env: { SCHEDULER_TIMEZONE: '' } })).toBe('Asia/Tokyo');
  });

  it('--config names another file, which replaces ./craft.config.json', async () => {
    const cwd = dirWith({ 'craft.config.json': file, 'other.json': JSON.stringify({ timezone: 'UTC' }) });
    expect(await zoneUsed(['--config', 'other.json'], { cwd })).toBe('UTC');
  });

  it('--verbose says where the value came from', async () => {
    const cwd = dirWith({ 'craft.config.json': file });
    const result = await craftJobs(['cron', 'next', '0 3 * * *', '--count', '1', '--verbose'], { cwd });
    expect(result.status).toBe(0);
    expect(result.stderr).toContain(
      `timezone Asia/Tokyo (from ${join(cwd, 'craft.config.json')} (timezone))`,
    );
  });
});

describe('configuration errors exit 4 with one line', () => {
  it.each([
    ['invalid JSON', '{ "timezone": ', 'not valid JSON'],
    ['an unknown key', JSON.stringify({ timezon: 'UTC' }), 'unknown key "timezon"'],
    ['a value of the wrong type', JSON.stringify({ timezone: 7 }), 'expected a non-empty string'],
    ['an unknown zone', JSON.stringify({ timezone: 'Mars/Base' }), 'Mars/Base'],
  ])('a config file with %s', async (_name, content, expected) => {
    const result = await craftJobs(['cron', 'next', '0 3 * * *'], {
      cwd: dirWith({ 'craft.config.json': content }),
    });
    expect(result.status).toBe(4);
    expect(result.stdout).toBe('');
    expect(lines(result.stderr)).toHaveLength(1);
    expect(result.stderr).toContain(expected);
  });

  it('a --config file that does not exist', async () => {
    const cwd = dirWith({});
    const result = await craftJobs(['cron', 'next', '0 3 * * *', '--config', 'missing.json'], { cwd });
    expect(result.status).toBe(4);
    expect(result.stderr).toContain(join(cwd, 'missing.json'));
    expect(result.stderr).toContain('[CRAFT_CLI_CONFIG_FILE]');
  });

  it('a command that needs no setting does not read the config file', async () => {
    const cwd = dirWith({});
    writeFileSync(join(cwd, 'craft.config.json'), '{ broken');
    const result = await craftJobs(['cron', 'explain', '0 3 * * *'], { cwd });
    expect(result.status).toBe(0);
  });
});
