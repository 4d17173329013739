// Sign-in: a bearer token pasted by the user, or the one `./dev start` puts after `#token=` in the URL it prints.
// The token lives in sessionStorage (this tab only, gone when it closes); the fragment never reaches the server,
// and it is removed from the address bar as soon as it is read. Scopes are decoded for the UI only (which
// buttons to show): the API verifies the token on every request.

/** The scopes of spec section 7. */
export type Scope = 'jobs:read' | 'jobs:write' | 'jobs:run';

/** A signed-in user, from the token's claims (unverified: for display and for hiding buttons only). */
export interface Session {
  /** The raw token, sent as `Authorization: Bearer …`. */
  token: string;
  /** The `sub` claim. */
  subject: string | null;
  /** The scopes the token claims (`scope` and `scp`, space-separated strings or arrays). */
  scopes: string[];
  /** When it expires (epoch ms), from `exp`. */
  expiresAt: number | null;
}

const KEY = 'craft-dashboard:token';

function base64UrlDecode(text: string): string {
  const b64 = text
    .replace(/-/g, '+')
    .replace(/_/g, '/')
    .padEnd(Math.ceil(text.length / 4) * 4, '=');
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

/** The session a token stands for, or a sentence saying why it cannot be one. */
export function decodeToken(raw: string): Session | string {
  const token = raw.trim().replace(/^Bearer\s+/i, '');
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p)) || !parts[1]) {
    return 'This is not a JWT: expected three base64url parts separated by dots (header.payload.signature).';
  }
  let claims: Record<string, unknown>;
  try {
    claims = JSON.parse(base64UrlDecode(parts[1])) as Record<string, unknown>;
  } catch {
    return 'The token’s payload is not readable JSON; copy the whole token again.';
  }
  if (claims === null || typeof claims !== 'object') return 'The token’s payload is not a JSON object.';
  const scopes = new Set<string>();
  for (const claim of [claims['scope'], claims['scp']]) {
    const list = typeof claim === 'string' ? claim.split(/\s+/) : Array.isArray(claim) ? claim : [];
    for (const s of list) if (typeof s === 'string' && s !== '') scopes.add(s);
  }
  const exp = typeof claims['exp'] === 'number' ? claims['exp'] * 1000 : null;
  if (exp !== null && exp <= Date.now()) {
    return `This token expired on ${new Date(exp).toISOString().replace('T', ' ').slice(0, 16)} UTC; get a new one.`;
  }
  return {
    token,
    subject: typeof claims['sub'] === 'string' ? claims['sub'] : null,
    scopes: [...scopes],
    expiresAt: exp,
  };
}

/**
 * Takes a token from the URL's fragment (`#token=…`), then removes the fragment from the address bar (and from
 * this history entry) so it is not bookmarked, shared or shown. Returns null when there is none.
 */
export function takeTokenFromUrl(): string | null {
  const hash = window.location.hash;
  if (!hash.startsWith('#')) return null;
  const token = new URLSearchParams(hash.slice(1)).get('token');
  if (token === null) return null;
  history.replaceState(history.state, '', window.location.pathname + window.location.search);
  return token;
}

/** The stored session of this tab, if it is still usable. */
export function loadSession(): Session | null {
  let raw: string | null = null;
  try {
    raw = sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
  if (!raw) return null;
  const s = decodeToken(raw);
  if (typeof s === 'string') {
    clearSession();
    return null;
  }
  return s;
}

/** Keeps the token for this tab. */
export function saveSession(session: Session): void {
  try {
    sessionStorage.setItem(KEY, session.token);
  } catch {
    // Storage disabled: the session lasts until the page reloads.
  }
}

/** Forgets the token. */
export function clearSession(): void {
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    // nothing stored
  }
}

/** Whether the session's token claims `scope`. */
export function can(session: Session | null, scope: Scope): boolean {
  return session?.scopes.includes(scope) ?? false;
}
