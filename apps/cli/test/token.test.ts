import { createVerifier } from 'fast-jwt';
import { describe, expect, it } from 'vitest';
import { craftJobs, dirWith, lines } from './helpers.js';

const SECRET = 'test-secret-that-is-long-enough-for-hs256-0123456789';

function verify(token: string, secret = SECRET, extra: Record<string, string> = {}) {
  return createVerifier({ key: secret, algorithms: ['HS256'], ...extra })(token) as Record<string, unknown>;
}

describe('token', () => {
  it('prints only the token, which verifies with the secret and carries the scopes and a one-hour expiry', async () => {
    const result = await craftJobs(['token', '--scope', 'jobs:read', '--scope', 'jobs:write'], {
      env: { JWT_SECRET: SECRET },
    });
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
    expect(lines(result.stdout)).toHaveLength(1);
    const token = result.stdout.trim();
    const claims = verify(token);
    expect(claims['scope']).toBe('jobs:read jobs:write');
    expect(claims['sub']).toBe('craft-jobs');
    expect((claims['exp'] as number) - (claims['iat'] as number)).toBe(3600);
    expect(Math.abs((claims['iat'] as number) - Date.now() / 1000)).toBeLessThan(120);
    expect(() => verify(token, 'another-secret-that-is-long-enough-0123456789')).toThrow();
  });

  it('--json gives { token, expires_at, scopes } and honours --expires-in, --subject and comma lists', async () => {
    const result = await craftJobs(
      ['token', '--scope', 'jobs:run,jobs:read', '--expires-in', '15m', '--subject', 'ci-pipeline', '--json'],
      { env: { JWT_SECRET: SECRET } },
    );
    expect(result.status).toBe(0);
    const out = JSON.parse(result.stdout) as { token: string; expires_at: string; scopes: string[] };
    expect(Object.keys(out).sort()).toEqual(['expires_at', 'scopes', 'token']);
    expect(out.scopes).toEqual(['jobs:run', 'jobs:read']);
    const claims = verify(out.token);
    expect(claims['sub']).toBe('ci-pipeline');
    expect((claims['exp'] as number) - (claims['iat'] as number)).toBe(900);
    expect(out.expires_at).toBe(new Date((claims['exp'] as number) * 1000).toISOString());
  });

  it('defaults to the least privilege: jobs:read', async () => {
    const result = await craftJobs(['token'], { env: { JWT_SECRET: SECRET } });
    expect(verify(result.stdout.trim())['scope']).toBe('jobs:read');
  });

  it('sets iss and aud from JWT_ISSUER and JWT_AUDIENCE', async () => {
    const result = await craftJobs(['token'], {
      env: { JWT_SECRET: SECRET, JWT_ISSUER: 'craft-auth', JWT_AUDIENCE: 'craft-api' },
    });
    const claims = verify(result.stdout.trim(), SECRET, {
      allowedIss: 'craft-auth',
      allowedAud: 'craft-api',
    });
    expect(claims['iss']).toBe('craft-auth');
    expect(claims['aud']).toBe('craft-api');
  });

  it('refuses to mint without a secret: exit 4, one line, nothing on stdout', async () => {
    const result = await craftJobs(['token']);
    expect(result.status).toBe(4);
    expect(result.stdout).toBe('');
    expect(lines(result.stderr)).toHaveLength(1);
    expect(result.stderr).toContain('JWT_SECRET');
    expect(result.stderr).toContain('[CRAFT_CLI_TOKEN_NO_SECRET]');
  });

  it('explains that a public key alone cannot mint tokens', async () => {
    const result = await craftJobs(['token'], { env: { JWT_PUBLIC_KEY: '-----BEGIN PUBLIC KEY-----' } });
    expect(result.status).toBe(4);
    expect(result.stderr).toContain('JWT_PUBLIC_KEY');
  });

  it('warns on stderr (not stdout) about a secret on the command line and a short secret', async () => {
    const result = await craftJobs(['token', '--secret', 'short']);
    expect(result.status).toBe(0);
    expect(lines(result.stdout)).toHaveLength(1);
    expect(verify(result.stdout.trim(), 'short')['scope']).toBe('jobs:read');
    expect(result.stderr).toContain('shell history');
    expect(result.stderr).toContain('32');
  });

  it('takes the secret from the config file when neither flag nor environment sets it', async () => {
    const cwd = dirWith({ 'craft.config.json': JSON.stringify({ jwtSecret: SECRET }) });
    const result = await craftJobs(['token'], { cwd });
    expect(result.status).toBe(0);
    expect(verify(result.stdout.trim())['scope']).toBe('jobs:read');
  });

  it.each([
    [['--scope', 'jobs:admin'], '--scope'],
    [['--expires-in', 'forever'], '--expires-in'],
    [['--expires-in', '0'], '--expires-in'],
  ])('rejects %j with exit 2', async (extra, option) => {
    const result = await craftJobs(['token', ...extra], { env: { JWT_SECRET: SECRET } });
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(lines(result.stderr)).toHaveLength(1);
    expect(result.stderr).toContain(option);
  });
});
