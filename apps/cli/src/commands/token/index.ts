import type { CommandModule } from 'yargs';
import {
  type CommandContext,
  type CommandSpec,
  configFor,
  defineCommand,
  type GlobalArgs,
  lastValue,
  outputFor,
} from '../../lib/command.js';
import { InvalidArgumentError, MissingSecretError } from '../../lib/errors.js';
import { messages } from './messages.js';

/** The scopes the API understands (spec section 7). */
export const SCOPES = ['jobs:read', 'jobs:write', 'jobs:run'] as const;

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/** `90`, `90s`, `15m`, `1h`, `7d`, `2w` → seconds. */
export function parseDuration(value: string): number {
  const m = /^\s*(\d+)\s*([smhdw]?)\s*$/i.exec(value);
  const seconds = m ? Number(m[1]) * (UNIT_SECONDS[(m[2] || 's').toLowerCase()] ?? 1) : Number.NaN;
  if (!Number.isSafeInteger(seconds) || seconds < 1) {
    throw new InvalidArgumentError('--expires-in', value, messages.badDuration(value));
  }
  return seconds;
}

/** Splits repeated and comma/space-separated `--scope` values, checks them, and drops duplicates. */
export function parseScopes(values: readonly string[]): string[] {
  const scopes: string[] = [];
  for (const scope of values.flatMap((v) => v.split(/[\s,]+/)).filter(Boolean)) {
    if (!(SCOPES as readonly string[]).includes(scope)) {
      throw new InvalidArgumentError('--scope', scope, messages.badScope(scope, SCOPES));
    }
    if (!scopes.includes(scope)) scopes.push(scope);
  }
  return scopes;
}

interface TokenArgs extends GlobalArgs {
  scope: string[] | undefined;
  'expires-in': string | undefined;
  subject: string | undefined;
  secret: string | undefined;
  issuer: string | undefined;
  audience: string | undefined;
  json: boolean;
}

function createTokenCommand(context: CommandContext): CommandModule<GlobalArgs, TokenArgs> {
  return {
    command: 'token',
    describe: messages.describe,
    builder: (yargs) =>
      yargs
        .option('scope', { type: 'string', array: true, requiresArg: true, describe: messages.scope })
        .option('expires-in', {
          type: 'string',
          requiresArg: true,
          default: '1h',
          coerce: lastValue,
          describe: messages.expiresIn,
        })
        .option('subject', {
          type: 'string',
          requiresArg: true,
          default: 'craft-jobs',
          coerce: lastValue,
          describe: messages.subject,
        })
        .option('secret', { type: 'string', requiresArg: true, coerce: lastValue, describe: messages.secret })
        .option('issuer', { type: 'string', requiresArg: true, coerce: lastValue, describe: messages.issuer })
        .option('audience', {
          type: 'string',
          requiresArg: true,
          coerce: lastValue,
          describe: messages.audience,
        })
        .option('json', { type: 'boolean', default: false, describe: messages.json })
        .example(messages.examples.map(([cmd, text]) => [cmd, text] as [string, string])),
    handler: async (argv) => {
      const output = outputFor(context, argv);
      const scopes = parseScopes(argv.scope ?? ['jobs:read']);
      const lifetime = parseDuration(argv['expires-in'] ?? '1h');
      const config = await configFor(context, argv, {
        jwtSecret: argv.secret,
        jwtIssuer: argv.issuer,
        jwtAudience: argv.audience,
      });
      // JWT_SECRET / JWT_PUBLIC_KEY resolved as the API resolves them (both set is an error there and here).
      const jwt = config.get('jwt');
      if (jwt.value.kind !== 'secret') {
        throw new MissingSecretError(jwt.value.kind === 'none' ? messages.noSecret : messages.publicKeyOnly);
      }
      const secret = { ...jwt, value: jwt.value.secret };
      output.debug(`secret from ${secret.origin}`);
      if (secret.source === 'flag') output.warn(messages.secretOnCommandLine);
      if (secret.value.length < 32) output.warn(messages.shortSecret(secret.value.length));
      const issuer = config.get('jwtIssuer');
      const audience = config.get('jwtAudience');

      const iat = Math.floor(context.io.now().getTime() / 1000);
      const exp = iat + lifetime;
      const { createSigner } = await import('fast-jwt');
      const sign = createSigner({
        key: secret.value,
        algorithm: 'HS256',
        ...(issuer.value === undefined ? {} : { iss: issuer.value }),
        ...(audience.value === undefined ? {} : { aud: audience.value }),
      });
      const token = sign({ sub: argv.subject ?? 'craft-jobs', scope: scopes.join(' '), iat, exp });
      if (argv.json) {
        output.json({ token, expires_at: new Date(exp * 1000).toISOString(), scopes });
      } else {
        output.print(token);
      }
    },
  };
}

/** `craft-jobs token`. */
export const tokenCommand: CommandSpec = {
  name: 'token',
  subcommands: [],
  create: (context) => defineCommand(createTokenCommand(context)),
};
