/**
 * The service's configuration: every setting resolved by `@craft/runtime` (the one resolver the CLI uses too,
 * spec section 7), plus the one thing only the service does: generating a development signing secret when none
 * is set outside production.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { type CraftSettings, type JwtAlgorithm, resolveSettings } from '@craft/runtime';

export type { JwtAlgorithm } from '@craft/runtime';
export {
  algorithmForKey,
  DEFAULT_LOCK_TTL_SECONDS,
  ENV_VARIABLES,
  MIN_SECRET_LENGTH,
} from '@craft/runtime';

/** How tokens are verified. */
export type JwtVerification =
  | {
      /** HS256 with a shared secret. */
      kind: 'secret';
      /** The secret. */
      secret: string;
      /** True when no `JWT_SECRET` was set and a development secret was generated for this process. */
      generated: boolean;
    }
  | {
      /** RS256/PS256/ES256/ES384/ES512/EdDSA with a PEM public key (tokens come from an identity provider). */
      kind: 'public-key';
      /** The PEM text of the public key. */
      publicKey: string;
      /** The one algorithm accepted, detected from the key (RSA → RS256, EC P-256 → ES256, …). */
      algorithm: JwtAlgorithm;
    };

/**
 * The service's configuration, resolved from the environment by {@link loadConfig}: `@craft/runtime`'s
 * `CraftSettings` (see its README for every variable and default), with the jobs module as `jobsModule` and the
 * token verification as `jwt`.
 */
export interface ApiConfig extends Omit<CraftSettings, 'jwt' | 'jobs'> {
  /** `JWT_SECRET` / `JWT_PUBLIC_KEY`: token verification. @default a generated development secret (not in production) */
  jwt: JwtVerification;
  /** `CRAFT_JOBS`: absolute path (or `file:` URL) of the module of job definitions. @default undefined (built-in jobs only) */
  jobsModule: string | undefined;
}

/** Options of {@link loadConfig}. */
export interface LoadConfigOptions {
  /** Directory relative `CRAFT_JOBS` and `JWT_PUBLIC_KEY` paths resolve against. @default process.cwd() */
  cwd?: string;
}

/**
 * Reads and validates the configuration from `env` with `@craft/runtime`'s resolver. Empty strings count as
 * unset. Throws one `InvalidSettingsError` (`CRAFT_RUNTIME_INVALID_SETTINGS`) listing every problem, each naming
 * its variable. Without `JWT_SECRET`/`JWT_PUBLIC_KEY` outside production, a random development secret is
 * generated (`jwt.generated`).
 */
export function loadConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
  options: LoadConfigOptions = {},
): ApiConfig {
  const { jwt, jobs, ...settings } = resolveSettings(env, options);
  return {
    ...settings,
    jobsModule: jobs,
    jwt:
      jwt.kind === 'none'
        ? { kind: 'secret', secret: randomBytes(32).toString('base64url'), generated: true }
        : jwt.kind === 'secret'
          ? { kind: 'secret', secret: jwt.secret, generated: false }
          : jwt,
  };
}
