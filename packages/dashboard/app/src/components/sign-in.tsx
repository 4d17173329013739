import { useState } from 'preact/hooks';
import { Api, type ApiError } from '../lib/api.js';
import { decodeToken, type Session } from '../lib/auth.js';
import { settings } from '../lib/settings.js';

/**
 * Sign-in with a pasted bearer token. The token is checked against the API (one read) before it is kept, so a
 * wrong secret or a missing scope is said here, not on the first page.
 */
export function SignIn({
  message,
  onSignedIn,
}: {
  message: string | null;
  onSignedIn: (s: Session) => void;
}) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(message);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    const session = decodeToken(token);
    if (typeof session === 'string') {
      setError(session);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await new Api(settings.apiBase, session.token, () => {}).listSchedules({ limit: 1 });
      onSignedIn(session);
    } catch (err) {
      const e2 = err as ApiError;
      setError(
        e2.status === 401
          ? `The API refused this token: ${e2.message}`
          : e2.status === 403
            ? `This token cannot read schedules (it needs the jobs:read scope): ${e2.message}`
            : e2.message,
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="signin" id="main">
      <form class="card signin-card" onSubmit={submit} noValidate>
        <h1>{settings.title}</h1>
        <p>Sign in with a bearer token (JWT) of the scheduler API.</p>
        <label for="token">Token</label>
        <textarea
          id="token"
          name="token"
          rows={5}
          value={token}
          autoComplete="off"
          spellcheck={false}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'token-error token-help' : 'token-help'}
          onInput={(e) => setToken(e.currentTarget.value)}
          placeholder="eyJhbGciOi…"
        />
        {error ? (
          <p id="token-error" class="field-error" role="alert">
            {error}
          </p>
        ) : null}
        <button type="submit" class="btn btn-primary" disabled={busy || token.trim() === ''}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
        <div id="token-help" class="muted signin-help">
          <p>
            Mint one with <code>craft-jobs token --scope "jobs:read jobs:write jobs:run"</code> (a{' '}
            <code>jobs:read</code> token gives a read-only view). In development, <code>./dev start</code>{' '}
            prints a link that signs you in.
          </p>
          <p>The token stays in this browser tab only (session storage) and is sent to the API alone.</p>
        </div>
      </form>
    </main>
  );
}
