import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BIN, craftJobs, lines, STACK_FRAME, tempDir } from './helpers.js';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

describe('usage errors', () => {
  it('an unknown command exits 2 with one line on stderr, and a suggestion', async () => {
    const result = await craftJobs(['cronn', 'next', '0 3 * * *']);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(lines(result.stderr)).toHaveLength(1);
    expect(result.stderr).toContain('unknown command "cronn"');
    expect(result.stderr).toContain('did you mean "cron"');
    expect(result.stderr).toContain('[CRAFT_CLI_USAGE]');
    expect(result.stderr).not.toMatch(STACK_FRAME);
  });

  it('an unknown command far from any known one is still an error', async () => {
    const result = await craftJobs(['deploy']);
    expect(result.status).toBe(2);
    expect(lines(result.stderr)).toHaveLength(1);
    expect(result.stderr).toContain('deploy');
  });

  it('an unknown subcommand exits 2 and points at the group help', async () => {
    const result = await craftJobs(['cron', 'nxt', '0 3 * * *']);
    expect(result.status).toBe(2);
    expect(lines(result.stderr)).toHaveLength(1);
    expect(result.stderr).toContain('unknown cron command "nxt"; did you mean "next"?');
    expect(result.stderr).toContain('craft-jobs cron --help');
  });

  it('an unknown option exits 2', async () => {
    const result = await craftJobs(['cron', 'next', '0 3 * * *', '--bogus']);
    expect(result.status).toBe(2);
    expect(lines(result.stderr)).toHaveLength(1);
    expect(result.stderr).toContain('bogus');
    expect(result.stderr).toContain('craft-jobs cron next --help');
  });

  it('no command at all exits 2', async () => {
    const result = await craftJobs([]);
    expect(result.status).toBe(2);
    expect(lines(result.stderr)).toHaveLength(1);
  });

  it('a missing argument exits 2', async () => {
    const result = await craftJobs(['cron', 'next']);
    expect(result.status).toBe(2);
    expect(lines(result.stderr)).toHaveLength(1);
  });

  it('a usage error shows its stack with --verbose', async () => {
    const result = await craftJobs(['nope', '--verbose']);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(STACK_FRAME);
  });
});

describe('help and version', () => {
  it('--version prints the package version', async () => {
    const result = await craftJobs(['--version']);
    expect(result).toEqual({ status: 0, stdout: `${pkg.version}\n`, stderr: '' });
  });

  it('--help lists every command', async () => {
    const result = await craftJobs(['--help']);
    expect(result.status).toBe(0);
    for (const command of ['run', 'check', 'catch-up', 'schedules', 'runs', 'cron', 'token']) {
      expect(result.stdout).toMatch(new RegExp(`craft-jobs ${command}\\b`));
    }
  });

  it.each([
    'cron next',
    'cron explain',
    'cron convert',
    'token',
    'run',
    'check',
    'catch-up',
    'schedules list',
    'schedules get',
    'schedules create',
    'schedules update',
    'schedules delete',
    'schedules enable',
    'schedules disable',
    'runs list',
    'runs get',
  ])('%s --help shows examples', async (command) => {
    const result = await craftJobs([...command.split(' '), '--help']);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Examples:');
    expect(result.stdout).toContain(`craft-jobs ${command}`);
  });

  it('the built bin runs directly (shebang and executable bit)', async () => {
    const out = await new Promise<string>((done, fail) =>
      execFile(BIN, ['--version'], (error, stdout) => (error ? fail(error) : done(stdout))),
    );
    expect(out.trim()).toBe(pkg.version);
  });
});

describe('colour', () => {
  const args = ['cron', 'next', '30 2 * * *', '--from', '2027-03-26T00:00:00Z', '--count', '3'];
  const ESC = '\u001b[';

  it('is off when stdout is not a terminal', async () => {
    const result = await craftJobs(args);
    expect(result.status).toBe(0);
    expect(result.stdout).not.toContain(ESC);
  });

  it('FORCE_COLOR turns it on (as on a terminal): the skipped slot is highlighted', async () => {
    const result = await craftJobs(args, { env: { FORCE_COLOR: '1' } });
    expect(result.stdout).toContain(`${ESC}33m`);
  });

  it('NO_COLOR always wins', async () => {
    const result = await craftJobs(args, { env: { FORCE_COLOR: '1', NO_COLOR: '1' } });
    expect(result.stdout).not.toContain(ESC);
  });

  it('--json output never has colour', async () => {
    const result = await craftJobs([...args, '--json'], { env: { FORCE_COLOR: '1' } });
    expect(result.stdout).not.toContain(ESC);
    expect(() => JSON.parse(result.stdout)).not.toThrow();
  });
});

describe('internal errors', () => {
  // An honest unexpected failure: the working directory is deleted under the process, so every lookup of the
  // current directory fails with ENOENT (uv_cwd). Nothing in the CLI anticipates that.
  function inDeletedDirectory(
    args: string[],
  ): Promise<{ status: number | null; stdout: string; stderr: string }> {
    const dir = tempDir();
    const script = `cd "$1" && rmdir "$1" && shift && exec "$@"`;
    return new Promise((done) => {
      execFile(
        '/bin/sh',
        ['-c', script, 'sh', dir, process.execPath, BIN, ...args],
        { env: { PATH: process.env['PATH'] ?? '', JWT_SECRET: 'x'.repeat(40) } },
        (error, stdout, stderr) => done({ status: error ? (error.code as number) : 0, stdout, stderr }),
      );
    });
  }

  it('exit 70 with the message and a hint to re-run with --verbose and file an issue, but no stack', async () => {
    const result = await inDeletedDirectory(['token']);
    expect(result.status).toBe(70);
    expect(result.stdout).toBe('');
    const [line, hint, ...rest] = lines(result.stderr);
    expect(rest).toEqual([]);
    expect(line).toMatch(/^craft-jobs: internal error: .*uv_cwd.* \[CRAFT_CLI_INTERNAL\]$/);
    expect(hint).toContain('--verbose');
    expect(hint).toContain('file an issue');
    expect(result.stderr).not.toMatch(/https?:\/\//);
    expect(result.stderr).not.toMatch(STACK_FRAME);
  });

  it('--verbose adds the stack trace', async () => {
    const result = await inDeletedDirectory(['token', '--verbose']);
    expect(result.status).toBe(70);
    expect(result.stderr).toMatch(STACK_FRAME);
    expect(result.stderr).toContain('uv_cwd');
  });
});
