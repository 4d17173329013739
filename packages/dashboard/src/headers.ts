// The response headers of the page: a strict Content-Security-Policy and the usual hardening headers.

/**
 * The page's Content-Security-Policy. Nothing inline (no `'unsafe-inline'`, no `'unsafe-eval'`): every script
 * and style is a file of the package; the page talks to its own origin only (plus the API's, when the API is
 * on another origin); it cannot be framed.
 */
export function contentSecurityPolicy(apiOrigin: string | undefined): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self'${apiOrigin ? ` ${apiOrigin}` : ''}`,
    "manifest-src 'self'",
    "base-uri 'self'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Headers sent with every file of the page. */
export function securityHeaders(apiOrigin: string | undefined): Record<string, string> {
  return {
    'content-security-policy': contentSecurityPolicy(apiOrigin),
    'x-content-type-options': 'nosniff',
    // The sign-in token travels in the URL's fragment, which browsers never send; no-referrer keeps even the
    // page's path out of other sites' logs.
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
  };
}

/** Hashed build output (`assets/…-<hash>.js`) never changes under its name: cached for a year. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';
/** The page itself and unhashed files are revalidated on every load (ETag), so a new release shows at once. */
export const REVALIDATE = 'no-cache';
