import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';

/** An algorithm tokens are verified with. */
export type JwtAlgorithm = 'HS256' | 'RS256' | 'PS256' | 'ES256' | 'ES384' | 'ES512' | 'EdDSA';

/** How tokens are signed and verified, from `JWT_SECRET` / `JWT_PUBLIC_KEY`. */
export type JwtSettings =
  | {
      /** Neither variable is set (the API then generates a development secret, outside production). */
      kind: 'none';
    }
  | {
      /** HS256 with a shared secret (`JWT_SECRET`): the API verifies, `craft-jobs token` signs. */
      kind: 'secret';
      /** The secret. */
      secret: string;
    }
  | {
      /** A PEM public key (`JWT_PUBLIC_KEY`): tokens come from an identity provider; nothing here signs. */
      kind: 'public-key';
      /** The PEM text of the public key. */
      publicKey: string;
      /** The one algorithm accepted, detected from the key (RSA → RS256, EC P-256 → ES256, …). */
      algorithm: JwtAlgorithm;
    };

/** Smallest HS256 secret accepted in production, in characters. */
export const MIN_SECRET_LENGTH = 32;

/**
 * The PEM text of `JWT_PUBLIC_KEY`: PEM text as is (with `\n` escapes turned into newlines), else the path of a
 * file holding it (relative to `baseDir`). Throws an `Error` whose message says what is wrong.
 */
export function readPublicKey(value: string, baseDir: string): { pem: string; algorithm: JwtAlgorithm } {
  let pem = value.replace(/\\n/g, '\n');
  if (!pem.includes('-----BEGIN')) {
    const path = isAbsolute(pem) ? pem : resolve(baseDir, pem);
    try {
      pem = readFileSync(path, 'utf8');
    } catch (error) {
      throw new Error(
        `is neither PEM text nor a readable file (${path}: ${(error as Error).message}); give the PEM ` +
          'public key of your identity provider, or the path of a file holding it',
      );
    }
  }
  return { pem, algorithm: algorithmForKey(pem) };
}

/**
 * The one algorithm tokens verified with this PEM public key must use: RSA → RS256, RSA-PSS → PS256,
 * EC P-256/P-384/P-521 → ES256/ES384/ES512, Ed25519 → EdDSA. Throws for a private key, an unparsable key or
 * another key type.
 */
export function algorithmForKey(pem: string): JwtAlgorithm {
  if (/PRIVATE KEY/.test(pem)) {
    throw new Error('holds a PRIVATE key; give the public key only (the API never signs)');
  }
  let key: ReturnType<typeof createPublicKey>;
  try {
    key = createPublicKey(pem);
  } catch (error) {
    throw new Error(`is not a valid PEM public key (${(error as Error).message})`);
  }
  const type = key.asymmetricKeyType;
  if (type === 'rsa') return 'RS256';
  if (type === 'rsa-pss') return 'PS256';
  if (type === 'ed25519') return 'EdDSA';
  if (type === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === 'prime256v1') return 'ES256';
    if (curve === 'secp384r1') return 'ES384';
    if (curve === 'secp521r1') return 'ES512';
    throw new Error(`uses the EC curve ${String(curve)}; use P-256 (ES256), P-384 or P-521`);
  }
  throw new Error(`is a ${String(type)} key; use an RSA (RS256) or EC P-256 (ES256) public key`);
}
