/** User-facing strings of `craft-jobs token`. */
export const messages = {
  describe: 'Mint an HS256 JWT for the REST API (prints only the token)',
  scope:
    'A scope to grant: jobs:read, jobs:write or jobs:run (repeatable; comma- or space-separated lists work too)',
  expiresIn: 'Lifetime: seconds, or a number followed by s, m, h, d or w (e.g. 15m, 1h, 7d)',
  subject: 'The sub claim: who the token is for',
  secret: 'HS256 secret (default: JWT_SECRET; prefer the variable, a flag lands in shell history)',
  issuer: 'The iss claim (default: JWT_ISSUER)',
  audience: 'The aud claim (default: JWT_AUDIENCE)',
  json: 'Print { token, expires_at, scopes } as JSON',
  examples: [
    ['JWT_SECRET=... $0 token --scope jobs:read', 'A one-hour read-only token'],
    ['TOKEN=$($0 token --scope jobs:run --expires-in 5m)', 'Capture a short-lived token for a script'],
    ['$0 token --scope jobs:read --scope jobs:write --expires-in 7d --json', 'Machine-readable output'],
  ],

  badScope: (scope: string, known: readonly string[]) =>
    `--scope: unknown scope "${scope}"; the scopes are ${known.join(', ')}`,
  badDuration: (value: string) =>
    `--expires-in: invalid value "${value}": expected seconds, or a number followed by s, m, h, d or w (e.g. 15m, 1h, 7d)`,
  noSecret:
    'token: no signing secret; set JWT_SECRET (the same secret the API verifies with), or pass --secret, or put jwtSecret in the config file',
  publicKeyOnly:
    'token: JWT_PUBLIC_KEY is set but no JWT_SECRET; the API then expects RS256/ES256 tokens, which need the private key and are minted by your identity provider, not by craft-jobs',
  secretOnCommandLine:
    'the secret was given with --secret and may be kept in your shell history; prefer JWT_SECRET',
  shortSecret: (length: number) =>
    `the secret is ${length} characters long; use at least 32 random characters for HS256 (e.g. openssl rand -base64 32)`,
} as const;
